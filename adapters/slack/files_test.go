package slack

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack"
	"github.com/trackbot/trackbot/tracking/providers/seventeentrack/seventeentracktest"
)

// sharedFile is a file people shared, which the fake serves at its
// url_private_download to the bot token only.
type sharedFile struct {
	name, mimetype, user string
	data                 []byte
}

// uploaded is a file the bot shared through files.completeUploadExternal.
type uploaded struct {
	name, channel, thread, comment string
	data                           []byte
}

// fakeFiles is the fake Web API's files: those it serves and those the
// bot uploaded.
type fakeFiles struct {
	shared   map[string]sharedFile // file id → file
	pending  map[string][]byte     // file id → bytes posted to its upload URL
	uploads  []uploaded
	nextFile int
}

// serveFiles speaks Slack's file protocol: files.info, the download of a
// file's url_private_download with the bot token, and the external upload
// (files.getUploadURLExternal, the POST of the bytes to the upload URL,
// files.completeUploadExternal). It reports false for other requests.
// https://docs.slack.dev/messaging/working-with-files
func (f *fakeSlack) serveFiles(w http.ResponseWriter, r *http.Request, body []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	ff := &f.files
	authorized := r.Header.Get("Authorization") == "Bearer xoxb-test"
	form, _ := url.ParseQuery(string(body))
	if form.Get("token") == "xoxb-test" {
		authorized = true
	}
	switch path := r.URL.Path; {
	case strings.HasPrefix(path, "/download/"):
		sf, ok := ff.shared[strings.TrimPrefix(path, "/download/")]
		if !ok || !authorized || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return true
		}
		w.Write(sf.data)
	case strings.HasPrefix(path, "/upload/"):
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !authorized {
			http.Error(w, "bad upload", http.StatusBadRequest)
			return true
		}
		part, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
		if err != nil {
			http.Error(w, "bad upload", http.StatusBadRequest)
			return true
		}
		data, _ := io.ReadAll(part)
		ff.pending[strings.TrimPrefix(path, "/upload/")] = data
		fmt.Fprintf(w, "OK - %d", len(data))
	case path == "/api/files.info":
		sf, ok := ff.shared[form.Get("file")]
		if !ok || !authorized {
			writeJSON(w, map[string]any{"ok": false, "error": "file_not_found"})
			return true
		}
		id := form.Get("file")
		writeJSON(w, map[string]any{"ok": true, "file": map[string]any{"id": id, "name": sf.name, "title": sf.name,
			"mimetype": sf.mimetype, "filetype": "csv", "size": len(sf.data), "user": sf.user,
			"url_private_download": f.srv.URL + "/download/" + id}})
	case path == "/api/files.getUploadURLExternal":
		if !authorized || form.Get("filename") == "" || form.Get("length") == "" {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return true
		}
		ff.nextFile++
		id := fmt.Sprintf("FUP%d", ff.nextFile)
		if ff.pending == nil {
			ff.pending = map[string][]byte{}
		}
		writeJSON(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id})
	case path == "/api/files.completeUploadExternal":
		var files []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(form.Get("files")), &files); err != nil || len(files) != 1 || !authorized {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return true
		}
		if fl, ok := f.fail[form.Get("channel_id")]; ok && fl.slackErr != "" {
			writeJSON(w, map[string]any{"ok": false, "error": fl.slackErr})
			return true
		}
		data, ok := ff.pending[files[0].ID]
		if !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "file_not_found"})
			return true
		}
		ff.uploads = append(ff.uploads, uploaded{name: files[0].Title, channel: form.Get("channel_id"),
			thread: form.Get("thread_ts"), comment: form.Get("initial_comment"), data: data})
		writeJSON(w, map[string]any{"ok": true, "files": []map[string]any{{"id": files[0].ID, "title": files[0].Title}}})
	default:
		return false
	}
	return true
}

// share makes the fake serve a file and sends the file_shared event of
// it being shared in channel by user, then waits for the answer.
func (e *env) share(id, channel, user, name string, data []byte) {
	e.t.Helper()
	e.slack.mu.Lock()
	if e.slack.files.shared == nil {
		e.slack.files.shared = map[string]sharedFile{}
	}
	e.slack.files.shared[id] = sharedFile{name: name, mimetype: "text/csv", user: user, data: data}
	e.slack.mu.Unlock()
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":"T1","event_id":"EvF%s","event":{"type":"file_shared","channel_id":%q,
		"file_id":%q,"user_id":%q,"file":{"id":%q},"event_ts":"1700000000.000200"}}`, id, channel, id, user, id)
	if rec := e.request(e.adapter.EventsHandler(), "application/json", ev, secret, 0); rec.Code != 200 {
		e.t.Fatalf("file_shared: %d", rec.Code)
	}
	e.idle()
}

// uploads returns the files the bot uploaded to a channel.
func (f *fakeSlack) uploads(channel string) []uploaded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []uploaded
	for _, u := range f.files.uploads {
		if u.channel == channel {
			out = append(out, u)
		}
	}
	return out
}

// withSeventeenTrack rewires env's bot to a registry whose only provider
// for China Post is 17TRACK pointed at fake, with a per-chat limit of
// limit parcels.
func (e *env) withSeventeenTrack(fake *seventeentracktest.Server, limit int) {
	reg := tracking.NewRegistry(e.clock)
	reg.AddFallback(seventeentrack.New(seventeentrack.Config{APIKey: seventeentracktest.Key, BaseURL: fake.URL}))
	e.engine = tracking.NewEngine(e.store, reg, tracking.Options{Clock: e.clock, MinInterval: time.Minute})
	e.bot = bot.New(bot.Config{Store: e.store, Engine: e.engine, Catalog: e.cat, Clock: e.clock, ParcelLimit: limit})
}

// schedule runs the engine's rounds until the fake 17TRACK has been asked
// about want numbers.
func (e *env) schedule(fake *seventeentracktest.Server, want int) {
	e.t.Helper()
	e.clock.Advance(time.Minute)
	for range 50 {
		if fake.Looked() >= want {
			return
		}
		if _, err := e.engine.RunOnce(context.Background()); err != nil {
			e.t.Fatal(err)
		}
	}
	e.t.Fatalf("the scheduler looked up %d numbers, want %d", fake.Looked(), want)
}

// TestUploadedCSVIsTrackedInBulk: a 500-line CSV shared in a channel is
// downloaded with the bot token, answered with one summary, makes the
// channel follow 500 parcels, and the scheduler looks them up at 17TRACK
// in batches of at most 40 numbers.
func TestUploadedCSVIsTrackedInBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fake := seventeentracktest.New()
		defer fake.Close()
		e := newEnv(t, s)
		e.withSeventeenTrack(fake, 600)
		e.start()

		numbers := seventeentracktest.Numbers(1, 500)
		var file bytes.Buffer
		file.WriteString("number,order,label,country\n")
		for i, n := range numbers {
			fmt.Fprintf(&file, "%s,#%d,Parcel %d,DE\n", n, 1000+i, i)
		}
		posted := len(e.slack.called("chat.postMessage", "C7"))
		e.share("F1", "C7", "U1", "orders.csv", file.Bytes())

		replies := e.slack.called("chat.postMessage", "C7")[posted:]
		if len(replies) != 1 {
			t.Fatalf("%d messages, want one summary", len(replies))
		}
		if got := joined(t, replies[0]); !strings.Contains(got, "Tracked 500 of the 500 numbers you sent") {
			t.Errorf("summary %q", got)
		}
		chat, err := s.EnsureChat(context.Background(), "slack", team, "C7", "channel", "seller", t0)
		if err != nil {
			t.Fatal(err)
		}
		subs, err := s.Subscriptions(context.Background(), chat.ID)
		if err != nil || len(subs) != 500 {
			t.Fatalf("the channel follows %d parcels (%v), want 500", len(subs), err)
		}
		if subs[7].Sub.OrderRef != "#1007" || subs[7].Sub.Label != "Parcel 7" || subs[7].Shipment.DestinationCountry != "DE" {
			t.Errorf("line 9 tracked as %+v to %q, want order #1007, label Parcel 7, to DE", subs[7].Sub, subs[7].Shipment.DestinationCountry)
		}
		if n := fake.Looked(); n != 0 {
			t.Errorf("the import looked up %d numbers before answering, want none", n)
		}

		e.schedule(fake, 500)
		batches := fake.Batches("gettrackinfo")
		// 500 numbers in requests of 40 at most, and not one request a
		// number: the scheduler's rounds may split a batch, not scatter it.
		if len(batches) < 13 || len(batches) > 26 || slices.Max(batches) > 40 {
			t.Errorf("gettrackinfo batches %v, want 13 to 26 requests of at most 40 numbers", batches)
		}
		t.Logf("gettrackinfo batches %v", batches)
		if r := fake.Refused(); len(r) > 0 {
			t.Errorf("17TRACK refused %v", r)
		}
	})
}

// TestExportRoundTripsThroughImport: /track export shares a CSV in the
// channel; imported into another channel and exported again, its rows
// are the same but for the state columns.
func TestExportRoundTripsThroughImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.start()
		e.command("C1", cainiaoN+" =SUM(A1:A9) order #42")
		e.command("C1", `DEMO-LIVE "+Gift, for Ann" order @77`)
		e.command("C1", "export")
		up := e.slack.uploads("C1")
		if len(up) != 1 {
			t.Fatalf("%d files shared, want one export", len(up))
		}
		if !strings.HasSuffix(up[0].name, ".csv") || !strings.Contains(up[0].comment, "2 parcels") {
			t.Errorf("export %q with comment %q", up[0].name, up[0].comment)
		}
		first := readCSV(t, up[0].data)
		if len(first) != 3 || first[0][0] != "number" {
			t.Fatalf("export rows %q", first)
		}
		if !slices.Contains(first[1], "'=SUM(A1:A9)") && !slices.Contains(first[2], "'=SUM(A1:A9)") {
			t.Errorf("a formula label is not guarded: %q", first)
		}

		// The bot's own upload, and a photo shared in a channel, are
		// not read as imports.
		posted := len(e.slack.called("chat.postMessage", "C1"))
		e.share("F3", "C1", "UBOT", up[0].name, up[0].data)
		e.slack.mu.Lock()
		e.slack.files.shared["F4"] = sharedFile{name: "label.png", mimetype: "image/png", user: "U1", data: []byte("\x89PNG")}
		e.slack.mu.Unlock()
		ev := `{"type":"event_callback","team_id":"T1","event_id":"EvF4","event":{"type":"file_shared","channel_id":"C1","file_id":"F4","user_id":"U1","file":{"id":"F4"}}}`
		e.request(e.adapter.EventsHandler(), "application/json", ev, secret, 0)
		e.idle()
		if got := len(e.slack.called("chat.postMessage", "C1")); got != posted || len(e.slack.uploads("C1")) != 1 {
			t.Errorf("the bot's own export or a photo was answered: %d messages, then %d", posted, got)
		}

		e.share("F2", "C2", "U1", up[0].name, up[0].data)
		e.command("C2", "export")
		again := e.slack.uploads("C2")
		if len(again) != 1 {
			t.Fatalf("%d files shared in the second channel, want one export", len(again))
		}
		second := readCSV(t, again[0].data)
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

// TestARefusedExportIsExplained: when Slack refuses to share the export
// (/track export in a channel the bot is not in, or another refusal), the
// person who asked is told why through the command's response_url, only
// to them and in their language, instead of being left with the
// acknowledgement.
func TestARefusedExportIsExplained(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.start()
		for _, tc := range []struct {
			user, channel, slackErr, locale, want string
		}{
			{"U1", "C5", "not_in_channel", "en-US", "I'm not a member of this conversation"},
			{"U1", "C6", "restricted_action", "en-US", "I couldn't share the export here (restricted_action)"},
			{"U7", "C7", "not_in_channel", "de-DE", "Ich bin kein Mitglied dieser Unterhaltung"},
		} {
			e.slack.mu.Lock()
			e.slack.locale = tc.locale
			e.slack.mu.Unlock()
			e.commandBy(tc.user, tc.channel, "DEMO-LIVE")
			e.slack.mu.Lock()
			e.slack.fail[tc.channel] = failure{slackErr: tc.slackErr}
			e.slack.mu.Unlock()
			before := len(e.slack.called("response_url", ""))
			e.commandBy(tc.user, tc.channel, "export")
			e.idle()
			if n := len(e.slack.uploads(tc.channel)); n != 0 {
				t.Errorf("%s: %d files shared despite %s", tc.channel, n, tc.slackErr)
			}
			var said []string
			for _, c := range e.slack.called("response_url", "")[before:] {
				text, _ := c.JSON["text"].(string)
				if strings.Contains(text, tc.want) && c.JSON["response_type"] == "ephemeral" {
					said = append(said, text)
				}
			}
			if len(said) != 1 {
				t.Errorf("%s (%s, %s): %d ephemeral replies saying %q, want 1; response_url calls: %v", tc.channel, tc.slackErr, tc.locale,
					len(said), tc.want, e.slack.called("response_url", "")[before:])
			}
		}
	})
}
