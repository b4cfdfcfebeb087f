package telegram

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack/seventeentracktest"
)

// fakeFiles are the documents of the fake Bot API: those people sent,
// by file id, and those the bot sent, by chat.
type fakeFiles struct {
	received map[string][]byte
	sent     map[string][]sentDocument
}

type sentDocument struct {
	name, caption string
	data          []byte
}

// serveDownload serves a received document at the path getFile named,
// under the bot's token, as the Bot API does.
// https://core.telegram.org/bots/api#getfile
func (f *fakeAPI) serveDownload(w http.ResponseWriter, r *http.Request) bool {
	id, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+testToken+"/documents/")
	if !ok {
		return false
	}
	f.mu.Lock()
	data, found := f.files.received[id]
	f.mu.Unlock()
	if !found || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return true
	}
	w.Write(data)
	return true
}

// serveFileMethod answers getFile and sendDocument (whose document is the
// multipart upload of the "document" field).
// https://core.telegram.org/bots/api#senddocument
func (f *fakeAPI) serveFileMethod(w http.ResponseWriter, r *http.Request, method string, form map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "getFile":
		id := form["file_id"]
		data, ok := f.files.received[id]
		if !ok {
			f.answer(w, apiFailure{status: http.StatusBadRequest, description: "Bad Request: invalid file_id"})
			return
		}
		f.ok(w, map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(data), "file_path": "documents/" + id})
	case "sendDocument":
		fh := r.MultipartForm.File["document"]
		if len(fh) != 1 {
			f.answer(w, apiFailure{status: http.StatusBadRequest, description: "Bad Request: there is no document in the request"})
			return
		}
		file, err := fh[0].Open()
		if err != nil {
			f.answer(w, apiFailure{status: http.StatusBadRequest, description: "Bad Request: bad document"})
			return
		}
		defer file.Close()
		data, _ := io.ReadAll(file)
		if f.files.sent == nil {
			f.files.sent = map[string][]sentDocument{}
		}
		chat := form["chat_id"]
		f.files.sent[chat] = append(f.files.sent[chat], sentDocument{name: fh[0].Filename, caption: form["caption"], data: data})
		f.msgID++
		f.ok(w, map[string]any{"message_id": f.msgID, "date": 1793000000, "chat": map[string]any{"id": 1, "type": "private"},
			"document": map[string]any{"file_id": "sent", "file_unique_id": "usent", "file_name": fh[0].Filename}})
	}
}

// documentUpdate is a message carrying a document the fake serves.
func (f *fakeAPI) documentUpdate(chat, from map[string]any, id, name string, data []byte) map[string]any {
	f.mu.Lock()
	if f.files.received == nil {
		f.files.received = map[string][]byte{}
	}
	f.files.received[id] = data
	f.mu.Unlock()
	return map[string]any{"message": map[string]any{"message_id": int(lastMessageID.Add(1)), "date": 1793000000, "chat": chat, "from": from,
		"document": map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_name": name, "mime_type": "text/csv",
			"file_size": len(data)}}}
}

// documents returns the documents the bot sent to chat.
func (f *fakeAPI) documents(chat string) []sentDocument {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.files.sent[chat])
}

// TestDocumentIsTrackedInBulk: a 500-line CSV sent as a document is
// fetched through getFile and the file path, answered with one summary,
// makes the chat follow 500 parcels, and the scheduler looks them up at
// 17TRACK in batches of at most 40 numbers.
func TestDocumentIsTrackedInBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fake := seventeentracktest.New()
		defer fake.Close()
		h := newHarness(t, s)
		reg := tracking.NewRegistry(h.clock)
		reg.AddFallback(seventeentrack.New(seventeentrack.Config{APIKey: seventeentracktest.Key, BaseURL: fake.URL}))
		h.engine = tracking.NewEngine(s, reg, tracking.Options{Clock: h.clock, MinInterval: time.Minute})
		h.bot = bot.New(bot.Config{Store: s, Engine: h.engine, Catalog: h.cat, Clock: h.clock, ParcelLimit: 500})
		api := newFakeAPI(t)
		a, _ := h.adapter(t, api, "", nil)
		start(t, a, h.bot)

		var file bytes.Buffer
		for i, n := range seventeentracktest.Numbers(1, 500) {
			fmt.Fprintf(&file, "%s;#%d;Parcel %d\n", n, 2000+i, i) // no header, semicolons
		}
		api.push(api.documentUpdate(privateChat(77), person(77, "en"), "D1", "orders.csv", file.Bytes()))
		// 500 lines take a while on a busy machine; the test waits for
		// the answer rather than for a time.
		if !expect.Eventually(time.Minute, func() bool { return len(api.sent("77")) > 0 }) {
			t.Fatal("no summary within a minute")
		}
		time.Sleep(100 * time.Millisecond) // a second message would have come by now
		sent := api.sent("77")
		if len(sent) != 1 || !strings.Contains(sent[0].Form["text"], "Tracked 500 of the 500 numbers you sent") {
			t.Fatalf("replies %+v, want one summary of 500 tracked", sent)
		}
		chat, err := s.EnsureChat(context.Background(), "telegram", "", "77", "private", "buyer", t0)
		if err != nil {
			t.Fatal(err)
		}
		subs, err := s.Subscriptions(context.Background(), chat.ID)
		if err != nil || len(subs) != 500 {
			t.Fatalf("the chat follows %d parcels (%v), want 500", len(subs), err)
		}
		if subs[499].Sub.OrderRef != "#2499" || subs[499].Sub.Label != "Parcel 499" {
			t.Errorf("the last line tracked as %+v", subs[499].Sub)
		}

		h.clock.Advance(time.Minute)
		for range 50 {
			if fake.Looked() >= 500 {
				break
			}
			if _, err := h.engine.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		batches := fake.Batches("gettrackinfo")
		if fake.Looked() != 500 || len(batches) < 13 || len(batches) > 26 || slices.Max(batches) > 40 {
			t.Errorf("17TRACK looked up %d numbers in requests of %v, want 500 in 13 to 26 requests of at most 40", fake.Looked(), batches)
		}
	})
}

// TestExportDocumentRoundTrips: /export sends a CSV document; sent back
// to another chat and exported there, its rows are the same but for the
// state columns.
func TestExportDocumentRoundTrips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		api := newFakeAPI(t)
		a, _ := h.adapter(t, api, "", nil)
		start(t, a, h.bot)
		ann := person(81, "en")
		for _, text := range []string{"/track DEMO-LIVE -5% off order =A1", "/track DEMO-DELIVERED Shoes, size 42", "/export"} {
			before := len(api.sent("81"))
			api.push(textUpdate(privateChat(81), ann, text))
			waitFor(t, text, func() bool { return len(api.sent("81")) > before || len(api.documents("81")) > 0 })
		}
		docs := api.documents("81")
		if len(docs) != 1 || !strings.Contains(docs[0].caption, "2 parcels") {
			t.Fatalf("documents %+v, want one export of 2 parcels", docs)
		}
		first := readCSV(t, docs[0].data)
		if len(first) != 3 || !slices.Contains(first[1], "'-5% off") && !slices.Contains(first[2], "'-5% off") {
			t.Fatalf("export rows %q, want two parcels with the label guarded", first)
		}

		bob := person(82, "en")
		api.push(api.documentUpdate(privateChat(82), bob, "D2", docs[0].name, docs[0].data))
		waitFor(t, "the import", func() bool { return len(api.sent("82")) > 0 })
		api.push(textUpdate(privateChat(82), bob, "/export"))
		waitFor(t, "the second export", func() bool { return len(api.documents("82")) > 0 })
		second := readCSV(t, api.documents("82")[0].data)
		if len(second) != len(first) {
			t.Fatalf("re-exported %d rows, want %d", len(second), len(first))
		}
		for i := range first {
			if !slices.Equal(first[i][:4], second[i][:4]) {
				t.Errorf("row %d: %q, then %q", i, first[i][:4], second[i][:4])
			}
		}
	})
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, data)
	}
	return rows
}
