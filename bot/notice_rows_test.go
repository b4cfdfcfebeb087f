package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestNotifierRendersRowsOfEarlierVersions sends guidance rows exactly as
// the outbox held them when advice data was an untyped map: the day count
// is a JSON number and the deadline a string, and both still render, the
// count picking its plural form and the deadline shown in the chat's zone.
func TestNotifierRendersRowsOfEarlierVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h := newHarness(t, s)
		h.say(privateChat, "en", "/track DEMO-STALLED Lamp")
		chat, err := s.EnsureChat(ctx, "telegram", "", privateChat.ID, "private", "buyer", t0)
		if err != nil {
			t.Fatal(err)
		}
		tokyo := "Asia/Tokyo"
		if err := s.UpdateChat(ctx, chat.ID, store.ChatSettings{Timezone: &tokyo}, t0); err != nil {
			t.Fatal(err)
		}
		var sub int64
		if err := s.DB().QueryRow(`SELECT id FROM subscriptions WHERE chat_id = $1`, chat.ID).Scan(&sub); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`DELETE FROM outbox`); err != nil {
			t.Fatal(err)
		}
		rows := []struct{ payload, want string }{
			{`{"shipment_id":1,"number":"DEMO-STALLED","rule":"no_progress_14d","level":"action","message":"guidance_no_progress_14d_buyer",` +
				`"data":{"Carrier":"Demo","Days":1,"Number":"DEMO-STALLED"}}`,
				"DEMO-STALLED has not moved for 1 day."},
			{`{"shipment_id":1,"number":"DEMO-STALLED","rule":"no_progress_14d","level":"action","message":"guidance_no_progress_14d_buyer",` +
				`"data":{"Carrier":"Demo","Days":15,"Number":"DEMO-STALLED"}}`,
				"DEMO-STALLED has not moved for 15 days."},
			{`{"shipment_id":1,"number":"DEMO-STALLED","rule":"pickup_available","level":"action","message":"guidance_pickup_available_buyer",` +
				`"data":{"Carrier":"Demo","Deadline":"2026-11-05T20:00:00Z","Number":"DEMO-STALLED"}}`,
				"Collect it by 6 Nov 2026 with"},
		}
		for i, r := range rows {
			if _, err := s.DB().Exec(`INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, state, not_before, created_at)
				VALUES ($1, $2, 'guidance', $3, $4, 'pending', $5, $5)`, chat.ID, sub, r.payload, "legacy:"+string(rune('a'+i)), t0); err != nil {
				t.Fatal(err)
			}
		}
		rec := &recorder{}
		if sent, err := bot.NewNotifier(s, h.cat, h.clock, rec).RunOnce(ctx); err != nil || sent != len(rows) {
			t.Fatalf("sent %d, %v; want %d", sent, err, len(rows))
		}
		for i, r := range rows {
			if !strings.Contains(rec.sent[i], r.want) {
				t.Errorf("push %d = %q, want it to say %q", i, rec.sent[i], r.want)
			}
		}
	})
}
