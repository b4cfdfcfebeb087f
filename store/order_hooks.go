package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/trackbot/trackbot/tracking"
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

// StopOrders removes the chat's subscriptions to the parcels of a
// cancelled delivery, each only where the chat follows it under that
// order (tracked here for another reason, it is not the shop's to stop),
// with the shipments no chat tracks any more, and tells the chat in the
// same transaction (tracking.OrderFeedNotice under the delivery's key):
// a crash loses or doubles neither, and a delivery written twice tells
// once. It returns how many subscriptions it removed.
func (s *Store) StopOrders(ctx context.Context, chatID int64, delivery string, parcels []tracking.OrderParcel, now time.Time) (int, error) {
	var stopped []tracking.OrderParcel
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		stopped = nil
		var subIDs, shipmentIDs []int64
		for _, p := range parcels {
			var rows []struct {
				SubID      int64  `db:"sub_id"`
				ShipmentID int64  `db:"shipment_id"`
				Carrier    string `db:"carrier"`
				Country    string `db:"destination_country"`
			}
			if err := tx.SelectContext(ctx, &rows, `SELECT s.id AS sub_id, sh.id AS shipment_id, sh.carrier, sh.destination_country
				FROM subscriptions s JOIN shipments sh ON sh.id = s.shipment_id
				WHERE s.chat_id = $1 AND s.order_ref = $2 AND sh.number = $3 ORDER BY s.id`, chatID, p.Order, p.Number); err != nil {
				return fmt.Errorf("store: stop order %s: %w", p.Number, err)
			}
			for _, r := range rows {
				if slices.Contains(subIDs, r.SubID) {
					continue
				}
				subIDs, shipmentIDs = append(subIDs, r.SubID), append(shipmentIDs, r.ShipmentID)
				stopped = append(stopped, tracking.OrderParcel{Order: p.Order, Number: p.Number, Carrier: r.Carrier, Country: r.Country})
			}
		}
		if len(subIDs) == 0 {
			return nil
		}
		q, args, err := sqlx.In(`DELETE FROM subscriptions WHERE chat_id = ? AND id IN (?)`, chatID, subIDs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(q), args...); err != nil {
			return fmt.Errorf("store: stop orders: %w", err)
		}
		if err := deleteOrphans(ctx, tx, s.rebind, shipmentIDs); err != nil {
			return err
		}
		if n, ok := tracking.OrderFeedNotice(chatID, delivery, true, stopped); ok {
			return enqueueChatNotice(ctx, tx, n, now)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(stopped), nil
}

// enqueueChatNotice writes a notice about the chat rather than one of its
// subscriptions (no subscription_id: removing a parcel does not take it
// away), unless a row has its dedupe key.
func enqueueChatNotice(ctx context.Context, tx *sqlx.Tx, n tracking.OutboxNotice, now time.Time) error {
	payload, err := tracking.EncodeNotice(n.Notice)
	if err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (chat_id, subscription_id, kind, payload, dedupe_key, alert_level, state, not_before, created_at)
		VALUES ($1, NULL, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
		n.ChatID, n.Notice.Kind, string(payload), n.Key, string(n.AlertLevel()), dbTime(now)); err != nil {
		return fmt.Errorf("store: enqueue %s notice: %w", n.Notice.Kind, err)
	}
	return nil
}
