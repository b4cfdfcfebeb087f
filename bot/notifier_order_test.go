package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestNotifierWaitsBehindACrashedNotifiersLease: a notifier that died
// holding a chat's first alert keeps the chat's later alerts from
// overtaking it. On PostgreSQL, where the lease may be a live replica's,
// another notifier sends all three, in order, once the lease has run out;
// on SQLite the restarted process takes its leases back and sends at once.
func TestNotifierWaitsBehindACrashedNotifiersLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, chat := liveSetup(t, s, 3)
		if crashed, err := s.ClaimOutbox(ctx, h.clock.Now(), 2*time.Minute, 1); err != nil || len(crashed) != 1 {
			t.Fatalf("the crashed notifier's claim: %d pushes, %v", len(crashed), err)
		}
		rec := &recorder{}
		n := bot.NewNotifier(s, h.cat, h.clock, rec)

		h.clock.Advance(time.Second)
		if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
			t.Fatalf("while the first alert is leased: sent %d (%v) %q, want none", sent, err, rec.sent)
		}
		switch s.Dialect() {
		case store.SQLite:
			if _, err := s.TakeBackLeases(ctx); err != nil {
				t.Fatal(err)
			}
		case store.Postgres:
			h.clock.Advance(time.Minute)
			if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
				t.Fatalf("a minute later: sent %d (%v), want none", sent, err)
			}
			h.clock.Advance(time.Minute)
		}
		if sent, err := n.RunOnce(ctx); err != nil || sent != 3 {
			t.Fatalf("after the lease: sent %d (%v), want 3", sent, err)
		}
		if c := counts(t, s, chat.ID); c["sent"] != 3 {
			t.Fatalf("outbox %v, want 3 sent", c)
		}
		for i, w := range []string{"Departed", "Arrived at a facility", "In customs"} {
			if !strings.Contains(rec.sent[i], w) {
				t.Errorf("push %d = %q, want %q: the alerts went out of order", i, rec.sent[i], w)
			}
		}
	})
}
