package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trackbot/trackbot/tracking"
)

// ShareOptions are what the sharer chose a tracking page to show besides
// the parcel itself. The zero value shows nothing of the chat's own words.
type ShareOptions struct {
	// ShowLabel shows the subscription's label and order reference.
	ShowLabel bool
}

// Brand is a seller chat's branding of the tracking pages it shares.
type Brand struct {
	Name string `db:"name"`
	// URL and LogoURL are https addresses, or empty.
	URL     string `db:"url"`
	LogoURL string `db:"logo_url"`
}

// SharedPage is everything a tracking page shows, as the sharer allowed.
type SharedPage struct {
	Shipment *tracking.Shipment
	// Label and OrderRef are empty unless the sharer chose to show them.
	Label, OrderRef string
	// Language is the sharing chat's language ("" when it never chose).
	Language string
	// Brand is the sharing chat's branding; the zero Brand when it has
	// none.
	Brand Brand
}

// SharedPage returns what a share token opens at now: one neither revoked
// nor expired. Any other token is ErrNotFound, whether it never existed,
// was revoked or expired.
func (s *Store) SharedPage(ctx context.Context, token string, now time.Time) (*SharedPage, error) {
	var row struct {
		ShipmentID int64          `db:"shipment_id"`
		ShowLabel  bool           `db:"show_label"`
		Label      string         `db:"label"`
		OrderRef   string         `db:"order_ref"`
		Language   string         `db:"language"`
		BrandName  sql.NullString `db:"brand_name"`
		BrandURL   sql.NullString `db:"brand_url"`
		BrandLogo  sql.NullString `db:"brand_logo"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT s.shipment_id, t.show_label, s.label, s.order_ref, c.language,
			b.name AS brand_name, b.url AS brand_url, b.logo_url AS brand_logo
		FROM share_tokens t
		JOIN subscriptions s ON s.id = t.subscription_id
		JOIN chats c ON c.id = s.chat_id
		LEFT JOIN chat_brands b ON b.chat_id = c.id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)`,
		shareTokenHash(token), dbTime(now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: share token: %w", err)
	}
	sh, err := s.ShipmentView(ctx, row.ShipmentID)
	if err != nil {
		return nil, err
	}
	p := &SharedPage{Shipment: sh, Language: row.Language,
		Brand: Brand{Name: row.BrandName.String, URL: row.BrandURL.String, LogoURL: row.BrandLogo.String}}
	if row.ShowLabel {
		p.Label, p.OrderRef = row.Label, row.OrderRef
	}
	return p, nil
}

// SetBrand sets a chat's branding of its tracking pages; a Brand without
// a name removes it.
func (s *Store) SetBrand(ctx context.Context, chatID int64, b Brand, now time.Time) error {
	if b.Name == "" {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM chat_brands WHERE chat_id = $1`, chatID); err != nil {
			return fmt.Errorf("store: remove brand: %w", err)
		}
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO chat_brands (chat_id, name, url, logo_url, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (chat_id) DO UPDATE SET name = excluded.name, url = excluded.url,
			logo_url = excluded.logo_url, updated_at = excluded.updated_at`,
		chatID, b.Name, b.URL, b.LogoURL, dbTime(now)); err != nil {
		return fmt.Errorf("store: set brand: %w", err)
	}
	return nil
}

// ChatBrand returns a chat's branding, the zero Brand when it has none.
func (s *Store) ChatBrand(ctx context.Context, chatID int64) (Brand, error) {
	var b Brand
	err := s.db.GetContext(ctx, &b, `SELECT name, url, logo_url FROM chat_brands WHERE chat_id = $1`, chatID)
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, nil
	}
	if err != nil {
		return Brand{}, fmt.Errorf("store: brand: %w", err)
	}
	return b, nil
}
