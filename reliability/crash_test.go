//go:build reliability

package reliability

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCrashLoop kills one trackbot serve on SQLite with SIGKILL eight
// times while fifty chats, tracking through the fake Telegram, follow
// DEMO-LIVE journeys, restarting it each time, and counts what every chat
// heard: every /track answered, no event lost, none out of order,
// duplicates (a push the platform accepted just before the process died,
// before its row was marked sent) at most one per kill.
func TestCrashLoop(t *testing.T) {
	const (
		chats = 50
		kills = 8
		step  = 2 * time.Second
	)
	began := time.Now()
	tg := newFakeTelegram(t)
	srv := newServer(t, "sqlite:"+filepath.Join(t.TempDir(), "trackbot.db"), tg.srv.URL, step)
	p := srv.start("serve")
	p.ready(t, 30*time.Second)

	ids := make([]int64, chats)
	track := func(from, to int) {
		for i := from; i < to; i++ {
			ids[i] = int64(1001 + i)
			tg.say(ids[i], fmt.Sprintf("/track DEMO-LIVE-%d", i+1))
		}
	}
	// A first wave of chats starts tracking before the kills; the rest
	// start in waves between them, so that updates are polled, claimed
	// and answered while the process dies too.
	const first = 20
	track(0, first)
	if !waitAnswered(tg, ids[:first], time.Minute) {
		t.Fatal("not every chat's /track was answered within a minute")
	}
	wave := (chats - first) / 3

	// Kill at random moments, a step or less apart, so that the kills
	// fall into every phase of a journey: a lookup, a commit, a send;
	// every other kill waits for the next message and lands between
	// Telegram taking it and the process hearing so.
	var downtime time.Duration
	var gaps []string
	for k := range kills {
		if k%2 == 1 && k/2 < 3 {
			from := first + k/2*wave
			to := from + wave
			if k/2 == 2 {
				to = chats
			}
			track(from, to)
		}
		gap := time.Duration(300+rand.IntN(1200)) * time.Millisecond
		time.Sleep(gap)
		if k%2 == 0 {
			gaps = append(gaps, gap.String())
			p.kill()
		} else {
			// The worst moment for a push: Telegram took it, the row is
			// not yet marked sent.
			victim := p
			select {
			case <-tg.atNextSend(victim.kill):
				gaps = append(gaps, gap.String()+"+send")
			case <-time.After(10 * time.Second):
				t.Fatal("no message was sent for ten seconds")
			}
		}
		p = srv.start(fmt.Sprintf("serve-after-kill-%d", k+1))
		downtime += p.ready(t, 30*time.Second)
	}
	t.Logf("kill gaps: %s", strings.Join(gaps, " "))

	j := map[int64]journey{}
	for i, id := range ids {
		j[id] = newJourney(t, fmt.Sprintf("DEMO-LIVE-%d", i+1), step)
	}
	finished := true
	for _, id := range ids {
		if !waitJourneys(tg, []int64{id}, j[id], time.Until(began.Add(3*time.Minute))) {
			finished = false
			break
		}
	}
	// Let a late duplicate arrive before counting.
	time.Sleep(2 * step)
	p.stop()

	var total tally
	for _, id := range ids {
		before := total
		seq := j[id].count(tg.messages(id), &total)
		if total.Duplicates != before.Duplicates || total.OutOfOrder != before.OutOfOrder || total.Lost != before.Lost {
			t.Logf("chat %d: %s", id, seq)
		}
	}
	total.figures(t, "kills", kills, "restart to ready (total)", downtime.Round(time.Millisecond),
		"demo step", step, "duration", time.Since(began).Round(time.Second))
	if !finished {
		srv.dumpLogs(t)
		t.Error("not every journey finished within three minutes")
	}
	if total.Lost != 0 || total.OutOfOrder != 0 || total.Duplicates > kills || total.Unfinished != 0 || len(total.Unknown) != 0 {
		srv.dumpLogs(t)
		t.Errorf("lost %d, out of order %d, duplicates %d (at most %d), unfinished %d; unknown pushes: %q",
			total.Lost, total.OutOfOrder, total.Duplicates, kills, total.Unfinished, total.Unknown)
	}
	// An update is leased, not only claimed, until it is handled, and a
	// restarted process takes its previous run's leases back: a kill
	// delays a /track, never loses it or its reply.
	if total.Untracked != 0 || total.Answered != total.Chats {
		t.Errorf("%d chats lost their /track, %d more the reply to it",
			total.Untracked, total.Chats-total.Untracked-total.Answered)
	}
}
