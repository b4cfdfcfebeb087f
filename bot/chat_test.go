package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
)

// TestApostrophesStayInLabelsAndReferences: an apostrophe inside a word
// (Mom's, l'anniversaire) is part of the label or order reference it is
// typed in, and /info finds the parcel by that label, in English and
// French.
func TestApostrophesStayInLabelsAndReferences(t *testing.T) {
	tests := []struct {
		lang, track, label, order, info, want string
	}{
		{"en", "/track DEMO-STALLED Mom's gift order #123", "Mom's gift", "#123", "/info Mom's gift", "Order: #123"},
		{"en", "/track DEMO-STALLED Mom’s gift order O'Brien-7", "Mom’s gift", "O'Brien-7", "/info Mom’s gift", "Order: O'Brien-7"},
		{"fr", "/track DEMO-STALLED l'anniversaire de Léa commande #123", "l'anniversaire de Léa", "#123", "/info l'anniversaire de Léa", "Commande : #123"},
		{"fr", "/track l'anniversaire de Léa DEMO-STALLED order l'A-12", "l'anniversaire de Léa", "l'A-12", "/info l'anniversaire de Léa", "Commande : l'A-12"},
	}
	for _, tt := range tests {
		t.Run(tt.track, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				h := newHarness(t, s)
				h.say(privateChat, tt.lang, tt.track)
				tr, err := s.FindSubscription(context.Background(), mustChat(t, s, privateChat.ID), "DEMO-STALLED")
				if err != nil {
					t.Fatal(err)
				}
				if tr.Sub.Label != tt.label || tr.Sub.OrderRef != tt.order {
					t.Errorf("stored label %q, order %q; want %q, %q", tr.Sub.Label, tr.Sub.OrderRef, tt.label, tt.order)
				}
				got := flat(h.say(privateChat, tt.lang, tt.info))
				if !strings.Contains(got, tt.label+" · DEMO-STALLED") || !strings.Contains(got, tt.want) {
					t.Errorf("%s answered:\n%s\nwant the card of %q with %q", tt.info, got, tt.label, tt.want)
				}
			})
		})
	}
}
