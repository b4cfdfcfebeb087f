// Package locales holds trackbot's message catalogs, one TOML file per
// language, and loads them into a go-i18n bundle. English is the fallback
// for every message.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Catalog is the set of loaded catalogs.
type Catalog struct {
	bundle    *i18n.Bundle
	languages []string
	ids       map[string][]string // message ids by language
	plural    map[string]bool     // ids with plural forms
	fallback  string
}

// Load parses every embedded catalog. fallback is the language used when a
// chat's language is not one trackbot speaks; "" means English.
func Load(fallback string) (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	c := &Catalog{bundle: b, fallback: "en", ids: map[string][]string{}, plural: map[string]bool{}}
	for _, e := range entries {
		mf, err := b.LoadMessageFileFS(files, e.Name())
		if err != nil {
			return nil, fmt.Errorf("locales: %s: %w", e.Name(), err)
		}
		// A language may spread over several files (en.toml,
		// guidance.en.toml); the file name's last part names it.
		lang := mf.Tag.String()
		if !slices.Contains(c.languages, lang) {
			c.languages = append(c.languages, lang)
		}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
			if m.One != "" || m.Few != "" || m.Many != "" || m.Two != "" {
				c.plural[m.ID] = true
			}
		}
		slices.Sort(c.ids[lang])
	}
	slices.Sort(c.languages)
	if fallback != "" {
		if !c.Supports(fallback) {
			return nil, fmt.Errorf("locales: no catalog for %q", fallback)
		}
		c.fallback = fallback
	}
	return c, nil
}

// Languages lists the language codes with a catalog, sorted.
func (c *Catalog) Languages() []string { return slices.Clone(c.languages) }

// Supports reports whether code names a language with a catalog.
func (c *Catalog) Supports(code string) bool { return slices.Contains(c.languages, code) }

// Match picks the catalog language for a platform's language hint such as
// "de-AT" or "pt-BR", or "" when trackbot does not speak it.
func (c *Catalog) Match(hint string) string {
	hint = strings.ToLower(strings.TrimSpace(hint))
	if hint == "" {
		return ""
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(hint, "_", "-"), "-")
	if c.Supports(base) {
		return base
	}
	return ""
}

// Localizer returns a Localizer for lang, falling back to the configured
// default language and then to English.
func (c *Catalog) Localizer(lang string) *Localizer {
	if m := c.Match(lang); m != "" {
		lang = m
	} else {
		lang = c.fallback
	}
	return &Localizer{lang: lang, c: c, l: i18n.NewLocalizer(c.bundle, lang, c.fallback, "en")}
}

// MessageIDs lists every message id of a language's catalog, sorted.
func (c *Catalog) MessageIDs(lang string) []string { return slices.Clone(c.ids[lang]) }

// Localizer renders messages in one language.
type Localizer struct {
	lang string
	c    *Catalog
	l    *i18n.Localizer
}

// Language is the language the localizer speaks.
func (l *Localizer) Language() string { return l.lang }

// T renders the message id with data. A missing message renders as its id,
// so a gap in a catalog shows instead of hiding.
func (l *Localizer) T(id string, data map[string]any) string {
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// N renders the plural form of the message id for count; data gets a
// "Count" entry.
func (l *Localizer) N(id string, count int, data map[string]any) string {
	d := map[string]any{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: d}
	if l.c.plural[id] {
		// A message without plural forms has only "other", which go-i18n
		// refuses to pick for a count that needs "one" or "few".
		cfg.PluralCount = count
	}
	s, err := l.l.Localize(cfg)
	if err != nil && s == "" {
		return id
	}
	return s
}

// Render is T, or N for a message with plural forms, that reports a missing
// message or a failing template, for the catalog tests.
func (l *Localizer) Render(id string, count int, data map[string]any) (string, error) {
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if l.c.plural[id] {
		cfg.PluralCount = count
	}
	return l.l.Localize(cfg)
}
