package store

import (
	"context"
	"fmt"
)

// activeChatsSQL lists a platform's reachable chats; the unique index on
// (platform, team_id, external_id) serves the platform.
const activeChatsSQL = `SELECT ` + chatColumns + ` FROM chats
	WHERE platform = $1 AND active = TRUE AND ($2 = '' OR team_id = $2) ORDER BY id`

// ActiveChats lists the reachable chats of a platform, oldest first; a
// non-empty team keeps only that team's (a Slack workspace). The Slack
// adapter walks them for its daily digest and its App Home tab.
func (s *Store) ActiveChats(ctx context.Context, platform, team string) ([]Chat, error) {
	var chats []Chat
	err := s.db.SelectContext(ctx, &chats, activeChatsSQL, platform, team)
	if err != nil {
		return nil, fmt.Errorf("store: active %s chats: %w", platform, err)
	}
	for i := range chats {
		chats[i].CreatedAt = chats[i].CreatedAt.UTC()
	}
	return chats, nil
}
