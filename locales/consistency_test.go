package locales_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/BurntSushi/toml"
)

// pluralForms are the keys of a message table that hold text; go-i18n
// reads the others (description, hash) as metadata.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// rawCatalogs reads every catalog file of the package as written: message
// id → its texts (one, or one per plural form), by language.
func rawCatalogs(t *testing.T) map[string]map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs: %v", err)
	}
	out := map[string]map[string][]string{}
	for _, f := range files {
		// en.toml and guidance.en.toml both hold English.
		parts := strings.Split(strings.TrimSuffix(f, ".toml"), ".")
		lang := parts[len(parts)-1]
		var doc map[string]any
		if _, err := toml.DecodeFile(f, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if out[lang] == nil {
			out[lang] = map[string][]string{}
		}
		for id, v := range doc {
			switch v := v.(type) {
			case string:
				out[lang][id] = []string{v}
			case map[string]any:
				for _, form := range pluralForms {
					if s, ok := v[form].(string); ok {
						out[lang][id] = append(out[lang][id], s)
					}
				}
			default:
				t.Errorf("%s: %s is a %T, not a message", f, id, v)
			}
		}
	}
	return out
}

// templateVars is the set of {{.Var}} a message's texts use, found by
// parsing each text as the template go-i18n will run.
func templateVars(t *testing.T, lang, id string, texts []string) []string {
	t.Helper()
	var vars []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			vars = append(vars, n.Ident[0])
		case *parse.ChainNode:
			walk(n.Node)
		}
	}
	for _, text := range texts {
		tree := parse.New(id)
		tree.Mode = parse.SkipFuncCheck
		if _, err := tree.Parse(text, "", "", map[string]*parse.Tree{}); err != nil {
			t.Errorf("%s %s: %v", lang, id, err)
			continue
		}
		walk(tree.Root)
	}
	slices.Sort(vars)
	return slices.Compact(vars)
}

func TestEveryCatalogUsesTheSameTemplateVariables(t *testing.T) {
	cats := rawCatalogs(t)
	en := cats["en"]
	if len(en) == 0 {
		t.Fatal("no English catalog")
	}
	for lang, msgs := range cats {
		for id, texts := range msgs {
			want, ok := en[id]
			if !ok {
				t.Errorf("%s: %q is not in the English catalog", lang, id)
				continue
			}
			got, wantVars := templateVars(t, lang, id, texts), templateVars(t, "en", id, want)
			if !slices.Equal(got, wantVars) {
				t.Errorf("%s %s uses %v, English uses %v", lang, id, got, wantVars)
			}
		}
		for id := range en {
			if _, ok := msgs[id]; !ok {
				t.Errorf("%s: missing %q", lang, id)
			}
		}
	}
}

// quoted finds the texts a message puts in quotation marks, in the marks
// each language uses: “…” (en, zh), „…“ (de), «…» (es, ru), « … » (fr),
// and straight "…".
var quoted = regexp.MustCompile(`“([^”“]+)”|„([^“„]+)“|«\s*([^»«]+?)\s*»|"([^"]+)"`)

func quotes(s string) []string {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(s, -1) {
		for _, g := range m[1:] {
			if g != "" {
				out = append(out, strings.TrimSpace(g))
			}
		}
	}
	return out
}

// buttonLabels are a language's button labels that have no variable, by
// message id: the words a text can quote to say which button to press.
func buttonLabels(msgs map[string][]string) map[string]string {
	labels := map[string]string{}
	for id, texts := range msgs {
		isButton := strings.HasPrefix(id, "button_") || strings.HasPrefix(id, "guidance_button_")
		if isButton && len(texts) == 1 && !strings.Contains(texts[0], "{{") {
			labels[id] = texts[0]
		}
	}
	return labels
}

// TestQuotedButtonNamesMatchTheButtons checks that a text telling the
// reader which button to press names it as the button reads, in every
// language. The English text says which button a message quotes: every
// English quotation that equals an English button label is a button
// reference, and each language's same message must quote that language's
// label.
func TestQuotedButtonNamesMatchTheButtons(t *testing.T) {
	cats := rawCatalogs(t)
	enLabels := buttonLabels(cats["en"])
	byText := map[string]string{}
	for id, label := range enLabels {
		byText[label] = id
	}
	refs := 0
	for id, texts := range cats["en"] {
		if _, isButton := enLabels[id]; isButton {
			continue
		}
		var buttons []string
		for _, text := range texts {
			for _, q := range quotes(text) {
				if b, ok := byText[q]; ok {
					buttons = append(buttons, b)
				}
			}
		}
		slices.Sort(buttons)
		buttons = slices.Compact(buttons)
		refs += len(buttons)
		for lang, msgs := range cats {
			labels := buttonLabels(msgs)
			for _, text := range msgs[id] {
				qs := quotes(text)
				for _, b := range buttons {
					if !slices.Contains(qs, labels[b]) {
						t.Errorf("%s %s quotes %q, but the button %s reads %q: %s", lang, id, qs, b, labels[b], text)
					}
				}
			}
		}
	}
	// The delivered advice, the stopped card and the stopped push refer to
	// buttons: a check that finds none has stopped looking.
	if refs < 4 {
		t.Errorf("found %d button references in the English texts, want at least 4", refs)
	}
}

func TestDatesHaveTwelveMonths(t *testing.T) {
	for lang, msgs := range rawCatalogs(t) {
		if m := msgs["date_months"]; len(m) != 1 || len(strings.Fields(m[0])) != 12 {
			t.Errorf("%s: date_months is %q, want twelve space-separated names", lang, m)
		}
	}
}
