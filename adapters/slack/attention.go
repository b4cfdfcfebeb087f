package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// Attention words what needs attention in Slack's daily digest and App
// Home; the conversation core (*bot.Bot) does, by the same rule as /list.
type Attention interface {
	// Digest is a channel's daily message; ok is false when nothing in
	// the channel needs attention.
	Digest(ctx context.Context, chat store.Chat) (r bot.Reply, ok bool, err error)
	// Overview is what needs attention in chats, in a person's language.
	Overview(ctx context.Context, chats []store.Chat, language string) (bot.Overview, error)
}

// digestLoop posts the daily digest, checking every minute. It runs while
// this replica holds the store's "slack-digest" lock, so that with several
// replicas on one database one of them does the work; each channel's digest
// of the day is claimed in the store, so a replica that takes over, or one
// restarted within the digest hour, does not post it again.
func (a *Adapter) digestLoop(ctx context.Context) error {
	var lock *store.Lock
	defer func() {
		if lock != nil {
			lock.Release()
		}
	}()
	return tracking.Every(ctx, "slack: digest round", time.Minute, func(ctx context.Context) error {
		if lock == nil {
			l, ok, err := a.store.TryLock(ctx, "slack-digest")
			if err != nil {
				return fmt.Errorf("slack: digest lock: %w", err)
			}
			if ok {
				lock = l
			}
		}
		if lock != nil {
			select {
			case <-lock.Done:
				lock.Release()
				lock = nil // lost with its connection; try again next minute
			default:
				if _, err := a.digestOnce(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// digestOnce posts the "needs attention" digest to every channel whose
// local time is within the digest hour and that has had none today. A
// channel with nothing needing attention, or muted, gets none. It reports
// how many digests it posted. The day's digest of a channel is claimed
// before it is posted and given back only when Slack asked to retry: a
// digest is never posted twice, and one lost in a crash is not made up.
func (a *Adapter) digestOnce(ctx context.Context) (int, error) {
	now := a.clock.Now()
	chats, err := a.store.ActiveChats(ctx, string(bot.Slack), "")
	if err != nil {
		return 0, err
	}
	posted := 0
	var errs []error
	for _, chat := range chats {
		if chat.Kind != string(bot.Channel) || chat.Muted {
			continue
		}
		local := bot.LocalTime(chat, now)
		day := local.Format(time.DateOnly)
		if local.Hour() != a.digestHour {
			continue
		}
		key := fmt.Sprintf("slack-digest:%d:%s", chat.ID, day)
		first, err := a.store.Claim(ctx, key, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !first {
			continue // done today
		}
		release := func() {
			if err := a.store.Release(ctx, key); err != nil {
				errs = append(errs, err)
			}
		}
		r, ok, err := a.attention.Digest(ctx, chat)
		if err != nil {
			release()
			errs = append(errs, err)
			continue
		}
		if ok {
			_, err := a.post(ctx, chat.ExternalID, "", false, r)
			var retry *bot.RetryError
			if errors.As(err, &retry) {
				release() // try again next minute
				continue
			}
			if err != nil {
				// Not retried today: a failing channel must not be hit
				// every minute. The notifier deactivates gone channels.
				errs = append(errs, fmt.Errorf("digest for chat %d: %w", chat.ID, err))
			} else {
				posted++
			}
		}
	}
	return posted, errors.Join(errs...)
}

// publishHome shows a person, in the App Home tab, the shipments that need
// attention in the conversations of their team that trackbot serves and
// they belong to: the channels they are a member of, and their direct
// messages with trackbot.
// https://docs.slack.dev/reference/methods/views.publish
func (a *Adapter) publishHome(ctx context.Context, team, user, im string) error {
	chats, err := a.store.ActiveChats(ctx, string(bot.Slack), team)
	if err != nil {
		return err
	}
	var member map[string]bool
	var theirs []store.Chat
	for _, chat := range chats {
		if chat.ExternalID != im {
			if chat.Kind != string(bot.Channel) {
				continue
			}
			if member == nil {
				if member, err = a.memberships(ctx, user); err != nil {
					// Show the direct messages at least.
					slog.WarnContext(ctx, "slack: cannot list a person's channels", "user", user, "err", err)
					member = map[string]bool{}
				}
			}
			if !member[chat.ExternalID] {
				continue
			}
		}
		theirs = append(theirs, chat)
	}
	o, err := a.attention.Overview(ctx, theirs, a.language(ctx, user))
	if err != nil {
		return err
	}
	_, err = a.api.PublishViewContext(ctx, slackgo.PublishViewContextRequest{
		UserID: user, View: slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: slackgo.Blocks{BlockSet: homeBlocks(o, im)}}})
	if err != nil {
		return classify("views.publish", err)
	}
	return nil
}

// homeBlocks lays out the Home tab: the heading, then each conversation
// with something that needs attention (a channel by its name, the direct
// message with trackbot by a speech balloon) and its lines; a check mark
// when nothing needs attention.
func homeBlocks(o bot.Overview, im string) []slackgo.Block {
	blocks := []slackgo.Block{mrkdwn("*" + esc(o.Title) + "*")}
	for _, c := range o.Chats {
		if len(blocks) >= maxHomeBlocks {
			break
		}
		where := "<#" + c.Chat.ExternalID + ">" // Slack shows the channel's name
		if c.Chat.ExternalID == im {
			where = ":speech_balloon:"
		}
		for _, b := range sections(where + "\n" + esc(strings.Join(c.Lines, "\n"))) {
			if len(blocks) < maxHomeBlocks {
				blocks = append(blocks, b)
			}
		}
	}
	switch {
	case o.Tracked == 0:
		blocks = append(blocks, mrkdwn(esc(o.Empty)))
	case len(o.Chats) == 0:
		blocks = append(blocks, mrkdwn(":white_check_mark:"))
	}
	return blocks
}

// membershipTypes are the conversation types memberships asks about; each
// needs its read scope in manifest.yaml.
var membershipTypes = []string{"public_channel", "private_channel", "mpim"}

// memberships lists the channels a person is a member of that trackbot can
// see. https://docs.slack.dev/reference/methods/users.conversations
func (a *Adapter) memberships(ctx context.Context, user string) (map[string]bool, error) {
	out := map[string]bool{}
	cursor := ""
	for page := 0; page < 10; page++ {
		chans, next, err := a.api.GetConversationsForUserContext(ctx, &slackgo.GetConversationsForUserParameters{
			UserID: user, Cursor: cursor, Types: membershipTypes,
			Limit: 200, ExcludeArchived: true})
		if err != nil {
			return nil, classify("users.conversations", err)
		}
		for _, c := range chans {
			out[c.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}
