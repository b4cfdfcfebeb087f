package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// queue writes n due pushes for a chat at now and returns their ids, in
// the order they were written.
func queue(t *testing.T, s *store.Store, chatID int64, n int, now time.Time) []int64 {
	t.Helper()
	var ids []int64
	for range n {
		var id int64
		key := fmt.Sprintf("k%d-%d", chatID, time.Now().UnixNano())
		if err := s.DB().QueryRow(`INSERT INTO outbox (chat_id, kind, payload, dedupe_key, state, not_before, created_at)
			VALUES ($1, 'status', '{}', $2, 'pending', $3, $3) RETURNING id`, chatID, key, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// idsOf lists the claimed pushes of one chat, in the order handed out.
func idsOf(items []store.OutboxItem, chatID int64) []int64 {
	var ids []int64
	for _, it := range items {
		if it.ChatID == chatID {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// TestClaimKeepsAChatsPushesInOrderBehindALease: a notifier that dies
// holding a chat's first push leaves it leased; the chat's later pushes
// are not handed to anyone else meanwhile, while other chats go on; when
// the lease ends, all of them are claimed together, in order.
func TestClaimKeepsAChatsPushesInOrderBehindALease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		lease := 2 * time.Minute
		x, _ := s.EnsureChat(ctx, "telegram", "", "1", "private", "buyer", now)
		y, _ := s.EnsureChat(ctx, "telegram", "", "2", "private", "buyer", now)
		xs := queue(t, s, x.ID, 1, now)
		ys := queue(t, s, y.ID, 2, now)
		xs = append(xs, queue(t, s, x.ID, 2, now)...)

		crashed, err := s.ClaimOutbox(ctx, now, lease, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(crashed, x.ID); !slices.Equal(got, xs[:1]) {
			t.Fatalf("the first claim took %v of chat x, want %v", got, xs[:1])
		}
		// The claimer dies without marking anything.

		for _, at := range []time.Duration{time.Second, lease - time.Second} {
			items, err := s.ClaimOutbox(ctx, now.Add(at), lease, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(items, x.ID); len(got) != 0 {
				t.Errorf("%v after the crash: chat x's %v handed out while its push %d is leased", at, got, xs[0])
			}
			if at == time.Second && !slices.Equal(idsOf(items, y.ID), ys) {
				t.Errorf("chat y's pushes: %v, want %v: one chat's lease holds up no other chat", idsOf(items, y.ID), ys)
			}
		}
		items, err := s.ClaimOutbox(ctx, now.Add(lease), lease, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(items, x.ID); !slices.Equal(got, xs) {
			t.Errorf("after the lease: chat x's %v, want %v in order", got, xs)
		}
	})
}

// TestClaimsRacingKeepEachChatWithOneClaimer: claimers running at once
// (replicas) never split a chat's pushes: each chat's first push goes to
// one of them and its later ones to none while that one is leased.
func TestClaimsRacingKeepEachChatWithOneClaimer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		chats := map[int64][]int64{}
		for i := range 6 {
			c, _ := s.EnsureChat(ctx, "telegram", "", fmt.Sprint(100+i), "private", "buyer", now)
			chats[c.ID] = queue(t, s, c.ID, 4, now)
		}
		var mu sync.Mutex
		var claimed []store.OutboxItem
		race(12, func() bool {
			items, err := s.ClaimOutbox(ctx, now, time.Minute, 1)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			claimed = append(claimed, items...)
			mu.Unlock()
			return len(items) > 0
		})
		for id, pushes := range chats {
			if got := idsOf(claimed, id); len(got) > 1 || len(got) == 1 && got[0] != pushes[0] {
				t.Errorf("chat %d: claimed %v, want at most its first push %d", id, got, pushes[0])
			}
		}
		if len(claimed) != len(chats) {
			t.Errorf("12 claimers took %d pushes of %d chats, want each chat's first", len(claimed), len(chats))
		}
	})
}

// TestTakeBackLeasesAfterARestart: on SQLite, a process that starts again
// after a kill takes back what its previous run had leased (pushes,
// shipments, chat updates it had not handled) and gets on with it at once;
// on PostgreSQL the leases may be a live replica's and stay.
func TestTakeBackLeasesAfterARestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		c, _ := s.EnsureChat(ctx, "telegram", "", "1", "private", "buyer", now)
		pushes := queue(t, s, c.ID, 3, now)
		st, _, err := s.EnsureShipment(ctx, "demo", "DEMO-LIVE", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.ClaimShipment(ctx, st.ID, "previous-run", now, time.Hour); err != nil || !ok {
			t.Fatalf("claim shipment: %v %v", ok, err)
		}
		if _, err := s.ClaimOutbox(ctx, now, 2*time.Minute, 100); err != nil {
			t.Fatal(err)
		}
		// A chat update taken and not handled yet, and one handled.
		const update, handled = "telegram-update:1:7", "telegram-update:1:6"
		for _, key := range []string{update, handled} {
			if got, err := s.LeaseClaim(ctx, key, now, 2*time.Minute); err != nil || got != store.Leased {
				t.Fatalf("lease %s: %v %v", key, got, err)
			}
		}
		if _, err := s.Claim(ctx, handled, now); err != nil {
			t.Fatal(err)
		}
		// Killed; started again a second later.
		restart := now.Add(time.Second)
		n, err := s.TakeBackLeases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		items, err := s.ClaimOutbox(ctx, restart, 2*time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		_, shipmentFree, err := s.ClaimShipment(ctx, st.ID, "this-run", restart, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		updateState, err := s.LeaseClaim(ctx, update, restart, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		handledState, err := s.LeaseClaim(ctx, handled, restart, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if handledState != store.Done {
			t.Errorf("the handled update's state after the restart: %v, want Done", handledState)
		}
		switch s.Dialect() {
		case store.SQLite:
			if n != 6 || !slices.Equal(idsOf(items, c.ID), pushes) || !shipmentFree || updateState != store.Leased {
				t.Errorf("took back %d leases, then claimed %v, the shipment: %v, the update: %v; want 6, %v, true, Leased",
					n, idsOf(items, c.ID), shipmentFree, updateState, pushes)
			}
		case store.Postgres:
			if n != 0 || len(items) != 0 || shipmentFree || updateState != store.Busy {
				t.Errorf("took back %d leases, then claimed %v, the shipment: %v, the update: %v; want nothing before the leases end",
					n, idsOf(items, c.ID), shipmentFree, updateState)
			}
		}
	})
}

// TestTakeBackLeasesLeavesALiveProcesssLeases: a second process on the
// same SQLite file (a console started beside a server) must not end the
// first one's leases: only the process that holds the database's
// instance lock takes leases back, and the lock goes with the process
// that held it.
func TestTakeBackLeasesLeavesALiveProcesssLeases(t *testing.T) {
	ctx := context.Background()
	server, u := storetest.OpenURL(t, store.SQLite)
	if _, err := server.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	if n, err := server.TakeBackLeases(ctx); err != nil || n != 0 {
		t.Fatalf("the server's start: %d, %v", n, err)
	}
	st, _, err := server.EnsureShipment(ctx, "demo", "DEMO-LIVE", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := server.ClaimShipment(ctx, st.ID, "server", now, time.Hour); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}

	console, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	if n, err := console.TakeBackLeases(ctx); !errors.Is(err, store.ErrSharedDatabase) || n != 0 {
		t.Fatalf("a console beside the server: %d, %v; want ErrSharedDatabase", n, err)
	}
	if _, free, err := console.ClaimShipment(ctx, st.ID, "console", now.Add(time.Second), time.Hour); err != nil || free {
		t.Fatalf("the server's lease after the console started: taken %v, %v; want it held", free, err)
	}

	// The server goes away; a process that starts now takes back its
	// leases.
	server.Close()
	if n, err := console.TakeBackLeases(ctx); err != nil || n != 1 {
		t.Fatalf("once the server is gone: %d, %v; want its one lease", n, err)
	}
}
