package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trackbot/trackbot/tracking"
)

// importSeeds are files as people send them: headers in several
// languages, delimiters, quotes, guarded cells, and broken CSV.
var importSeeds = []string{
	"number,order,label,country\nRR123456785CN,#1,Blue jacket,DE\n",
	"Sendungsnummer;Bestellung;Bezeichnung\r\n00340434161094042557;77;„Geschenk“\r\n",
	"RR123456785CN\n1Z999AA10123456784\n\nRR123456789CN\n",
	"label\tnumber\tcarrier\nA\tLX123456785CN\tchina-post\n",
	"number,carrier,order,label\nDEMO-LIVE,demo,'@42,'=1+1\n",
	"\ufeffnumber\nRR123456785CN,\"unclosed\n", "order,label\n#1,x\n", ",,\n\n", "\xff\xfe", "a\x00b",
}

func FuzzParseImport(f *testing.F) {
	for _, s := range importSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, refused, total, problem := parseImport(data)
		if problem != nil {
			if items != nil || refused != nil || total != 0 {
				t.Fatalf("a refused file gave %d items, %d refusals, total %d", len(items), len(refused), total)
			}
			return
		}
		if total != len(items)+len(refused) || total == 0 {
			t.Fatalf("total %d, %d items and %d refused", total, len(items), len(refused))
		}
		seen := map[string]bool{}
		for _, it := range items {
			if !tracking.ValidNumber(it.number) || tracking.Detect(it.number).Mistyped || seen[it.number] {
				t.Fatalf("item %+v: invalid, mistyped or repeated", it)
			}
			seen[it.number] = true
			for _, s := range []string{it.label, it.orderRef} {
				if utf8.RuneCountInString(s) > maxLabel || !tracking.StorableText(s) || s != strings.TrimSpace(s) {
					t.Fatalf("item %+v: a label or order that cannot be stored as it is", it)
				}
			}
			if it.carrier != "" {
				if _, ok := tracking.LookupCarrier(it.carrier); !ok {
					t.Fatalf("item %+v: unknown carrier", it)
				}
			}
			if it.line < 1 {
				t.Fatalf("item %+v: no line", it)
			}
		}
		for _, r := range refused {
			if r.line < 1 || r.reason == "" {
				t.Fatalf("refusal %+v without a line or reason", r)
			}
		}
	})
}

func FuzzGuardCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+49 30", "-5%", "@home", "\tx", "'=x", "''=x", "plain", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := guardCell(s)
		if g != "" && strings.ContainsRune(formulaStart, rune(g[0])) {
			t.Fatalf("guardCell(%q) = %q starts a formula", s, g)
		}
		if !strings.HasPrefix(s, "'") || len(s) < 2 || !strings.ContainsRune(formulaStart, rune(s[1])) {
			// What the export writes, the import reads back as it was;
			// only a cell already of the guarded form is ambiguous.
			if u := unguardCell(g); u != s {
				t.Fatalf("unguardCell(guardCell(%q)) = %q", s, u)
			}
		}
	})
}
