package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/adapters/console"
	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
)

// TestExportWritesThePathGiven: /export PATH writes the CSV there and says
// so; /export alone writes a file in the current directory; a path that
// cannot be written is said, and no "written" is claimed.
func TestExportWritesThePathGiven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cat, err := locales.Load("")
		if err != nil {
			t.Fatal(err)
		}
		clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		reg := tracking.NewRegistry(clock)
		reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
		e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute})
		b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
		dir := t.TempDir()
		t.Chdir(dir)
		given := filepath.Join(dir, "sub", "parcels.csv")
		os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		in := "/track DEMO-LIVE =1+1\n/export " + given + "\n/export\n/export " + filepath.Join(dir, "missing", "x.csv") + "\n"
		var out bytes.Buffer
		if err := console.New(strings.NewReader(in), &out, "en", false).Run(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{given, filepath.Join(dir, "trackbot-2026-11-02.csv")} {
			if !strings.Contains(out.String(), "Wrote the 1 parcel to "+path+".") {
				t.Errorf("the console does not say it wrote %s:\n%s", path, out.String())
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("the export was not written: %v", err)
			}
			rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil || len(rows) != 2 || rows[1][0] != "DEMO-LIVE" || rows[1][3] != "'=1+1" {
				t.Errorf("%s holds %q (%v), want a header and DEMO-LIVE labelled '=1+1", path, rows, err)
			}
		}
		if !strings.Contains(out.String(), "Cannot write "+filepath.Join(dir, "missing", "x.csv")+": no such file or directory.") ||
			strings.Contains(out.String(), "parcel to "+filepath.Join(dir, "missing")) {
			t.Errorf("an unwritable path is not reported as such:\n%s", out.String())
		}
	})
}

// TestAnUnwritableExportIsSaidInTheChatsLanguage: the reason a path cannot
// be written comes from the message catalog, in the language of the chat.
func TestAnUnwritableExportIsSaidInTheChatsLanguage(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	cat, err := locales.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := tracking.NewFakeClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	reg := tracking.NewRegistry(clock)
	reg.AddCarrier(demo.New(time.Minute, clock), tracking.CarrierDemo)
	e := tracking.NewEngine(s, reg, tracking.Options{Clock: clock, DemoStep: time.Minute})
	b := bot.New(bot.Config{Store: s, Engine: e, Catalog: cat, Clock: clock})
	missing := filepath.Join(t.TempDir(), "missing", "x.csv")
	for lang, want := range map[string]string{
		"de": missing + " lässt sich nicht schreiben: ",
		"fr": "Impossible d'écrire " + missing + " : ",
		"zh": "无法写入 " + missing + "：",
	} {
		var out bytes.Buffer
		in := "/lang " + lang + "\n/track DEMO-LIVE\n/export " + missing + "\n"
		if err := console.New(strings.NewReader(in), &out, lang, false).Run(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: the console does not say %q:\n%s", lang, want, out.String())
		}
	}
}
