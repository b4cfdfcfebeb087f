package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestOrderHooks: a chat has one feed of each kind, which keeps its id
// when connected again; disconnecting takes one kind or all; forgetting
// the chat takes its feeds with it.
func TestOrderHooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		chat, err := s.EnsureChat(ctx, "slack", "T1", "C1", "channel", "seller", now)
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.SaveOrderHook(ctx, store.OrderHook{ID: "feed-a", ChatID: chat.ID, Kind: "webhook", Secret: "s1", CreatedAt: now})
		if err != nil || first.ID != "feed-a" {
			t.Fatalf("first feed: %+v, %v", first, err)
		}
		again, err := s.SaveOrderHook(ctx, store.OrderHook{ID: "feed-b", ChatID: chat.ID, Kind: "webhook", Secret: "s2", CreatedAt: now})
		if err != nil || again.ID != "feed-a" || again.Secret != "s2" {
			t.Fatalf("connected again: %+v, %v; want feed-a with the new secret", again, err)
		}
		if _, err := s.OrderHook(ctx, "feed-b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the second id exists: %v", err)
		}
		if _, err := s.SaveOrderHook(ctx, store.OrderHook{ID: "feed-c", ChatID: chat.ID, Kind: "shopify", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOrderHookSecret(ctx, "feed-c", "k"); err != nil {
			t.Fatal(err)
		}
		if h, err := s.ChatOrderHook(ctx, chat.ID, "shopify"); err != nil || h.Secret != "k" || h.ID != "feed-c" {
			t.Errorf("the shopify feed: %+v, %v", h, err)
		}
		if err := s.SetOrderHookSecret(ctx, "nope", "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("secret of a missing feed: %v", err)
		}
		if n, err := s.DeleteOrderHooks(ctx, chat.ID, "webhook"); err != nil || n != 1 {
			t.Errorf("disconnecting the webhook: %d, %v", n, err)
		}
		if _, err := s.OrderHook(ctx, "feed-c"); err != nil {
			t.Errorf("the shopify feed went with the webhook: %v", err)
		}
		if _, err := s.Forget(ctx, chat.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrderHook(ctx, "feed-c"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a forgotten chat's feed still takes orders: %v", err)
		}
		if n, err := s.DeleteOrderHooks(ctx, chat.ID, ""); err != nil || n != 0 {
			t.Errorf("disconnecting nothing: %d, %v", n, err)
		}
	})
}
