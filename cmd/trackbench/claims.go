package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/tracking"
)

// claimBatch is how many due shipments one claim takes (the engine's
// default batch).
const claimBatch = 100

// measureClaims makes claimCount seeded shipments due and times
// store.ClaimDue taking them claimBatch at a time (the lease, the rows,
// their events, legs and protection ends), in twenty passes that give the
// leases back in between: 400 claims, so that the 99th percentile is not
// one unlucky claim.
func measureClaims(ctx context.Context, b *benchDB, r *report) error {
	k := min(claimCount, b.size)
	from := b.shipmentID(claimFrom % b.size)
	db := b.store.DB()
	now := b.seeded
	if _, err := db.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1 WHERE id >= $2 AND id < $3`,
		now.Add(-time.Hour), from, from+int64(k)); err != nil {
		return err
	}
	var took []time.Duration
	for range 20 {
		for {
			start := time.Now()
			got, err := b.store.ClaimDue(ctx, "bench-claim", now, 2*time.Minute, claimBatch)
			if err != nil {
				return err
			}
			if len(got) == 0 {
				break
			}
			took = append(took, time.Since(start))
		}
		if _, err := db.ExecContext(ctx, `UPDATE shipments SET lease_owner = '', lease_until = NULL WHERE lease_owner = 'bench-claim'`); err != nil {
			return err
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE shipments SET next_check_at = $1 WHERE id >= $2 AND id < $3`,
		now.Add(365*24*time.Hour), from, from+int64(k)); err != nil {
		return err
	}
	r.figure(label(b.name, "claim p50 ms"), ms(percentile(took, 50)), "ms")
	r.figure(label(b.name, "claim p99 ms"), ms(percentile(took, 99)), "ms")
	return nil
}

// measureCommands times /list, /role and /remove in the five chats of
// b.parcels parcels each, through bot.Handle on the real store, and counts
// their SQL statements. Each chat sends four commands, within the
// command rate a chat is allowed.
func measureCommands(ctx context.Context, b *benchDB, r *report) error {
	cat, err := locales.Load("en")
	if err != nil {
		return err
	}
	clock := tracking.NewFakeClock(b.seeded.Add(2 * time.Hour))
	e := pushEngine(b, clock, "bench-bot")
	h := bot.New(bot.Config{Store: b.store, Engine: e, Catalog: cat, Clock: clock})
	type stat struct {
		took  []time.Duration
		stmts int64
	}
	stats := map[string]*stat{}
	var order []string
	say := func(chat, name, text string) []bot.Reply {
		st := stats[name]
		if st == nil {
			st = &stat{}
			stats[name] = st
			order = append(order, name)
		}
		b.statements.Store(0)
		start := time.Now()
		replies := h.Handle(ctx, bot.Message{Chat: bot.ChatRef{Platform: bot.Telegram, ID: chat, Kind: bot.Private}, User: "u1", Text: text, Language: "en"})
		st.took = append(st.took, time.Since(start))
		st.stmts = max(st.stmts, b.statements.Load())
		return replies
	}
	for _, chat := range b.cmdChats {
		if got := say(chat, "/list", "/list"); len(got) == 0 {
			return fmt.Errorf("/list: no reply")
		}
		say(chat, "/role", "/role seller")
		say(chat, "/role", "/role buyer")
		following := func() (n int, number string, err error) {
			err = b.store.DB().QueryRowContext(ctx, `SELECT COUNT(*), MAX(sh.number) FROM subscriptions s
				JOIN chats c ON c.id = s.chat_id JOIN shipments sh ON sh.id = s.shipment_id
				WHERE c.external_id = $1`, chat).Scan(&n, &number)
			return n, number, err
		}
		before, number, err := following()
		if err != nil {
			return err
		}
		say(chat, "/remove", "/remove "+number)
		if left, _, err := following(); err != nil || left != before-1 {
			return fmt.Errorf("/remove %s: the chat follows %d parcels, want %d (%v)", number, left, before-1, err)
		}
	}
	for _, name := range order {
		st := stats[name]
		r.figure(label(b.name, name, "p50 ms"), ms(percentile(st.took, 50)), "ms")
		r.figure(label(b.name, name, "max ms"), ms(percentile(st.took, 100)), "ms")
		r.figure(label(b.name, name, "statements"), float64(st.stmts), "")
	}
	return nil
}
