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
		if !strings.Contains(out.String(), "Cannot write "+filepath.Join(dir, "missing", "x.csv")+": the folder does not exist.") ||
			strings.Contains(out.String(), "parcel to "+filepath.Join(dir, "missing")) {
			t.Errorf("an unwritable path is not reported as such:\n%s", out.String())
		}
	})
}

// TestAnUnwritableExportIsSaidInTheChatsLanguage: the reason a path cannot
// be written comes from the message catalog, in the language of the chat,
// and so does the system's reason (a missing folder, a folder given as the
// file): no English error text in another language.
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
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "x.csv")
	for _, tc := range []struct{ lang, path, want string }{
		{"de", missing, missing + " lässt sich nicht schreiben: den Ordner gibt es nicht."},
		{"fr", missing, "Impossible d'écrire " + missing + " : le dossier n'existe pas."},
		{"zh", missing, "无法写入 " + missing + "：文件夹不存在。"},
		{"ru", dir, "Не удалось записать " + dir + ": это папка; укажите имя файла."},
		{"es", dir, "No se puede escribir " + dir + ": es una carpeta; indica un nombre de archivo."},
	} {
		var out bytes.Buffer
		in := "/lang " + tc.lang + "\n/track DEMO-LIVE\n/export " + tc.path + "\n"
		if err := console.New(strings.NewReader(in), &out, tc.lang, false).Run(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: the console does not say %q:\n%s", tc.lang, tc.want, out.String())
		}
	}
}
