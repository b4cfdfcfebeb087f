package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OrderHook is a chat's shop feed: deliveries to its URL
// (PUBLIC_URL/webhooks/orders/{ID}) are tracked in the chat.
type OrderHook struct {
	// ID names the feed in its URL: 128 random bits, chosen by the caller.
	ID     string `db:"id"`
	ChatID int64  `db:"chat_id"`
	// Kind is "shopify" or "webhook" (the generic JSON hook).
	Kind string `db:"kind"`
	// Secret is the HMAC key deliveries are signed with. It is kept as
	// given (verifying needs it) and never logged; "" for a Shopify feed
	// that uses SHOPIFY_WEBHOOK_SECRET or whose key has not come yet.
	Secret    string    `db:"secret"`
	CreatedAt time.Time `db:"created_at"`
}

const orderHookColumns = `id, chat_id, kind, secret, created_at`

// OrderHook returns the feed a URL names, or ErrNotFound.
func (s *Store) OrderHook(ctx context.Context, id string) (*OrderHook, error) {
	return s.orderHook(ctx, `SELECT `+orderHookColumns+` FROM order_hooks WHERE id = $1`, id)
}

// ChatOrderHook returns a chat's feed of a kind, or ErrNotFound.
func (s *Store) ChatOrderHook(ctx context.Context, chatID int64, kind string) (*OrderHook, error) {
	return s.orderHook(ctx, `SELECT `+orderHookColumns+` FROM order_hooks WHERE chat_id = $1 AND kind = $2`, chatID, kind)
}

func (s *Store) orderHook(ctx context.Context, q string, args ...any) (*OrderHook, error) {
	var h OrderHook
	err := s.db.GetContext(ctx, &h, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: order hook: %w", err)
	}
	h.CreatedAt = h.CreatedAt.UTC()
	return &h, nil
}

// SaveOrderHook connects a chat's feed of h's kind. A chat has one feed of
// each kind: when it has one already, that one keeps its id (the URL the
// shop knows stays valid) and takes h's secret. It returns the feed as
// stored.
func (s *Store) SaveOrderHook(ctx context.Context, h OrderHook) (*OrderHook, error) {
	var out OrderHook
	err := s.db.GetContext(ctx, &out, `INSERT INTO order_hooks (id, chat_id, kind, secret, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (chat_id, kind) DO UPDATE SET secret = excluded.secret
		RETURNING `+orderHookColumns, h.ID, h.ChatID, h.Kind, h.Secret, dbTime(h.CreatedAt))
	if err != nil {
		return nil, fmt.Errorf("store: save order hook: %w", err)
	}
	out.CreatedAt = out.CreatedAt.UTC()
	return &out, nil
}

// SetOrderHookSecret sets the secret of the feed id; ErrNotFound when it
// no longer exists.
func (s *Store) SetOrderHookSecret(ctx context.Context, id, secret string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE order_hooks SET secret = $2 WHERE id = $1`, id, secret)
	if err != nil {
		return fmt.Errorf("store: set order hook secret: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteOrderHooks disconnects a chat's feeds, those of one kind or all
// when kind is "", and reports how many went. Their URLs take nothing
// from then on; what they tracked stays tracked.
func (s *Store) DeleteOrderHooks(ctx context.Context, chatID int64, kind string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM order_hooks WHERE chat_id = $1 AND (CAST($2 AS TEXT) = '' OR kind = $2)`, chatID, kind)
	if err != nil {
		return 0, fmt.Errorf("store: delete order hooks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete order hooks: %w", err)
	}
	return int(n), nil
}
