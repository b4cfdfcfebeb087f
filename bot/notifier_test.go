package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// recorder is an adapter that records what it is asked to send and fails
// as told. The real platform adapters are tested against fakes of their
// platforms; this one lets the notifier's own rules be tested.
type recorder struct {
	mu   sync.Mutex
	sent []string
	fail []error // returned by the next sends, in order
}

func (r *recorder) Platform() bot.Platform                       { return bot.Telegram }
func (r *recorder) Run(ctx context.Context, h bot.Handler) error { return nil }
func (r *recorder) Send(ctx context.Context, chat bot.ChatRef, rep bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fail) > 0 {
		err := r.fail[0]
		r.fail = r.fail[1:]
		if err != nil {
			return err
		}
	}
	r.sent = append(r.sent, chat.ID+": "+strings.ReplaceAll(render([]bot.Reply{rep}), "\n", " / "))
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// liveSetup tracks DEMO-LIVE in a private chat and lets the journey run
// for n steps, so that n pushes wait in the outbox.
func liveSetup(t *testing.T, s *store.Store, n int) (*harness, *store.Chat) {
	t.Helper()
	h := newHarness(t, s)
	h.say(privateChat, "en", "/track DEMO-LIVE Lamp")
	for range n {
		h.clock.Advance(time.Minute)
		if _, err := h.engine.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	chat, err := s.EnsureChat(context.Background(), "telegram", "", privateChat.ID, "private", "buyer", t0)
	if err != nil {
		t.Fatal(err)
	}
	return h, chat
}

func counts(t *testing.T, s *store.Store, chatID int64) map[string]int {
	t.Helper()
	c, err := s.OutboxCounts(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNotifierSendsInOrderAndMarksSentOnlyWhenAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, chat := liveSetup(t, s, 3)
		rec := &recorder{fail: []error{errors.New("connection reset")}}
		n := bot.NewNotifier(s, h.cat, h.clock, rec)
		reg := prometheus.NewRegistry()
		n.SetMetrics(reg)

		if sent, err := n.RunOnce(ctx); err != nil || sent != 0 {
			t.Fatalf("first round with a failing platform: sent %d, %v", sent, err)
		}
		if c := counts(t, s, chat.ID); c["pending"] != 3 || c["sent"] != 0 {
			t.Fatalf("after a transient failure: %v, want all 3 still pending", c)
		}
		h.clock.Advance(time.Minute)
		if sent, err := n.RunOnce(ctx); err != nil || sent != 3 {
			t.Fatalf("retry: sent %d, %v", sent, err)
		}
		if c := counts(t, s, chat.ID); c["sent"] != 3 {
			t.Fatalf("after the retry: %v", c)
		}
		want := []string{"Departed", "Arrived at a facility", "In customs"}
		for i, w := range want {
			if !strings.Contains(rec.sent[i], w) || !strings.Contains(rec.sent[i], "Lamp") {
				t.Errorf("push %d = %q, want it to say %q about Lamp", i, rec.sent[i], w)
			}
		}
		if sent, _ := n.RunOnce(ctx); sent != 0 {
			t.Errorf("a second round re-sent %d pushes", sent)
		}
		wantMetrics := `
# HELP trackbot_pushes_total Pushes handled by the notifier, by platform and outcome.
# TYPE trackbot_pushes_total counter
trackbot_pushes_total{outcome="retry",platform="telegram"} 1
trackbot_pushes_total{outcome="sent",platform="telegram"} 3
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(wantMetrics), "trackbot_pushes_total"); err != nil {
			t.Error(err)
		}
	})
}

func TestNotifierDefersForMuteAndQuietHoursNeverDrops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, chat := liveSetup(t, s, 1)
		rec := &recorder{}
		n := bot.NewNotifier(s, h.cat, h.clock, rec)

		h.say(privateChat, "en", "/mute")
		n.RunOnce(ctx)
		if rec.count() != 0 || counts(t, s, chat.ID)["pending"] != 1 {
			t.Fatalf("muted chat: sent %d, outbox %v", rec.count(), counts(t, s, chat.ID))
		}
		h.say(privateChat, "en", "/unmute")
		n.RunOnce(ctx)
		if rec.count() != 1 {
			t.Fatalf("unmute did not deliver what waited: sent %d", rec.count())
		}

		// Quiet hours around the clock's current hour (09:0x UTC).
		h.say(privateChat, "en", "/quiet 8-10")
		h.clock.Advance(time.Minute)
		h.engine.RunOnce(ctx)
		n.RunOnce(ctx)
		if rec.count() != 1 || counts(t, s, chat.ID)["pending"] != 1 {
			t.Fatalf("in quiet hours: sent %d, outbox %v", rec.count(), counts(t, s, chat.ID))
		}
		h.clock.Set(time.Date(2026, 11, 2, 10, 0, 1, 0, time.UTC))
		n.RunOnce(ctx)
		if rec.count() != 2 {
			t.Fatalf("after quiet hours: sent %d, want the held push", rec.count())
		}
	})
}

func TestNotifierDeactivatesAGoneChatAndHonoursRetryAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, chat := liveSetup(t, s, 2)
		rec := &recorder{fail: []error{&bot.RetryError{After: 30 * time.Second, Err: errors.New("429")}}}
		n := bot.NewNotifier(s, h.cat, h.clock, rec)

		n.RunOnce(ctx)
		h.clock.Advance(29 * time.Second)
		n.RunOnce(ctx)
		if rec.count() != 0 {
			t.Fatalf("sent before retry-after passed")
		}
		h.clock.Advance(2 * time.Second)
		n.RunOnce(ctx)
		if rec.count() != 2 {
			t.Fatalf("after retry-after: sent %d, want 2", rec.count())
		}

		h.clock.Advance(time.Minute)
		h.engine.RunOnce(ctx)
		rec.fail = []error{fmt.Errorf("telegram: %w", bot.ErrChatGone)}
		n.RunOnce(ctx)
		c, err := s.Chat(ctx, chat.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Active {
			t.Fatal("a gone chat is still active")
		}
		h.clock.Advance(time.Minute)
		h.engine.RunOnce(ctx)
		n.RunOnce(ctx)
		if rec.count() != 2 {
			t.Errorf("a push to a deactivated chat was attempted")
		}
		if got := counts(t, s, chat.ID); got["pending"] != 0 {
			t.Errorf("a deactivated chat still has pending pushes: %v", got)
		}
	})
}
