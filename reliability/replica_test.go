//go:build reliability

package reliability

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/trackbot/trackbot/store" // the postgres driver
)

// TestReplicaKill runs three trackbot serve processes on one fresh
// PostgreSQL database while 300 chats follow DEMO-LIVE journeys, kills the
// one long polling Telegram with SIGKILL in the middle, and counts what
// every chat heard: no event lost, none out of order, at most one
// duplicate for the killed replica. Ten chats start tracking after the
// kill, which another replica's taking over the polling must answer. The
// dead replica's leases run out after two minutes, so the test takes
// about three.
func TestReplicaKill(t *testing.T) {
	const (
		chats    = 300
		late     = 10 // of the chats, those that track after the kill
		replicas = 3
		step     = 5 * time.Second
	)
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set: the replica test needs PostgreSQL")
	}
	began := time.Now()
	dbURL := freshDatabase(t, base)
	tg := newFakeTelegram(t)
	srv := newServer(t, dbURL, tg.srv.URL, step)
	// One process migrates first, so that the other two start on the
	// schema (they would wait on the migration lock anyway).
	procs := []*proc{srv.start("replica-1")}
	procs[0].ready(t, time.Minute)
	for i := 2; i <= replicas; i++ {
		procs = append(procs, srv.start(fmt.Sprintf("replica-%d", i)))
	}
	for _, p := range procs[1:] {
		p.ready(t, time.Minute)
	}

	ids := make([]int64, chats)
	for i := range ids {
		ids[i] = int64(2001 + i)
	}
	track := func(from, to int) {
		for i := from; i < to; i++ {
			tg.say(ids[i], fmt.Sprintf("/track DEMO-LIVE-%d", i+1))
		}
	}
	// Most chats start before the kill, the rest after it: the replica
	// killed is the one long polling, so they reach the bot only once
	// another replica has taken the polling lock over.
	before := chats - late
	track(0, before)
	if !waitAnswered(tg, ids[:before], 2*time.Minute) {
		t.Fatal("not every chat's /track was answered within two minutes")
	}
	tracked := time.Since(began)

	// Kill the poller at a random moment of the journeys' middle, while
	// every replica is sending.
	wait := step + time.Duration(rand.IntN(int(2*step/time.Millisecond)))*time.Millisecond
	time.Sleep(wait)
	var victim *proc
	for _, p := range procs {
		if p.logged("long polling on this replica") {
			victim = p
		}
	}
	if victim == nil {
		t.Fatal("no replica says it is long polling")
	}
	victim.kill()
	killedAt := time.Since(began)
	track(before, chats)
	if !waitAnswered(tg, ids[before:], time.Minute) {
		t.Fatal("the chats that tracked after the kill were not answered within a minute")
	}
	takeover := time.Since(began) - killedAt

	j := map[int64]journey{}
	for i, id := range ids {
		j[id] = newJourney(t, fmt.Sprintf("DEMO-LIVE-%d", i+1), step)
	}
	finished := true
	for _, id := range ids {
		if !waitJourneys(tg, []int64{id}, j[id], time.Until(began.Add(5*time.Minute))) {
			finished = false
			break
		}
	}
	time.Sleep(2 * step)
	for _, p := range procs {
		if p != victim {
			p.stop()
		}
	}

	var total tally
	for _, id := range ids {
		before := total
		seq := j[id].count(tg.messages(id), &total)
		if total.Duplicates != before.Duplicates || total.OutOfOrder != before.OutOfOrder || total.Lost != before.Lost {
			t.Logf("chat %d: %s", id, seq)
		}
	}
	total.figures(t, "replicas", replicas, "kills", 1, "killed", victim.name,
		"first chats tracked after", tracked.Round(time.Second), "killed after", killedAt.Round(time.Second),
		"late chats answered after the kill", takeover.Round(100*time.Millisecond),
		"demo step", step, "duration", time.Since(began).Round(time.Second))
	if !finished {
		srv.dumpLogs(t)
		t.Error("not every journey finished within five minutes")
	}
	if total.Lost != 0 || total.OutOfOrder != 0 || total.Duplicates > 1 || total.Untracked != 0 || total.Unfinished != 0 || len(total.Unknown) != 0 {
		srv.dumpLogs(t)
		t.Errorf("lost %d, out of order %d, duplicates %d (at most 1), untracked %d, unfinished %d; unknown pushes: %q",
			total.Lost, total.OutOfOrder, total.Duplicates, total.Untracked, total.Unfinished, total.Unknown)
	}
	// Every chat tracked before the kill, on whichever replica, and its
	// answer shows what the first lookup found, though another replica's
	// round may have made that lookup.
	if total.Answered != chats {
		t.Errorf("%d of %d answers to /track show the journey's first event", total.Answered, chats)
	}
}

// freshDatabase creates an empty database on TEST_DATABASE_URL's server,
// dropped when the test ends, and returns its URL.
func freshDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("trackbot_reliability_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
