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
	"github.com/trackbot/trackbot/locales"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/tracking"
)

// attention lists a chat's shipments that need attention as the core's
// /list lines, in plain text; tracked counts all its shipments.
func (a *Adapter) attention(ctx context.Context, chatID int64, loc *locales.Localizer, now time.Time) (lines []string, tracked int, err error) {
	subs, err := a.store.Subscriptions(ctx, chatID)
	if err != nil {
		return nil, 0, err
	}
	for _, tr := range subs {
		sh := tr.Shipment
		if !sh.NeedsAttention(now) {
			continue
		}
		label := tr.Sub.Label
		if label == "" {
			label = sh.Number
		}
		lines = append(lines, "• "+loc.T("list_line", map[string]any{
			"Label": label, "Carrier": tracking.CarrierName(sh.Carrier),
			"Status": statusName(loc, sh.Status, sh.Substatus), "Days": since(loc, sh.LastEventAt, now)}))
	}
	return lines, len(subs), nil
}

func statusName(loc *locales.Localizer, st tracking.Status, sub tracking.Substatus) string {
	if sub != "" && sub != tracking.SubOther {
		return loc.T("sub_"+string(sub), nil)
	}
	return loc.T("status_"+string(st), nil)
}

func since(loc *locales.Localizer, at *time.Time, now time.Time) string {
	if at == nil {
		return loc.T("no_events_yet", nil)
	}
	days := int(now.Sub(*at).Hours() / 24)
	if days <= 0 {
		return loc.T("today", nil)
	}
	return loc.N("days_ago", days, nil)
}

// location loads a chat's time zone, UTC when it cannot.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// digestLoop posts the daily digest, checking every minute. It runs while
// this replica holds the store's "slack-digest" lock, so that with several
// replicas on one database one of them does the work; each channel's digest
// of the day is claimed in the store, so a replica that takes over, or one
// restarted within the digest hour, does not post it again.
func (a *Adapter) digestLoop(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	var lock *store.Lock
	defer func() {
		if lock != nil {
			lock.Release()
		}
	}()
	for {
		if lock == nil {
			l, ok, err := a.store.TryLock(ctx, "slack-digest")
			if err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "slack: digest lock", "err", err)
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
				if _, err := a.digestOnce(ctx); err != nil && ctx.Err() == nil {
					slog.WarnContext(ctx, "slack: digest round failed", "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
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
		local := now.In(location(chat.Timezone))
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
		loc := a.catalog.Localizer(chat.Language)
		lines, _, err := a.attention(ctx, chat.ID, loc, now)
		if err != nil {
			release()
			errs = append(errs, err)
			continue
		}
		if len(lines) > 0 {
			r := bot.Reply{Blocks: []bot.Block{
				{Text: &bot.Text{Title: true, Body: loc.T("list_attention", nil)}},
				{Text: &bot.Text{Body: strings.Join(lines, "\n")}},
			}}
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
	now := a.clock.Now()
	loc := a.catalog.Localizer(a.language(ctx, user))
	chats, err := a.store.ActiveChats(ctx, string(bot.Slack), team)
	if err != nil {
		return err
	}
	var member map[string]bool
	blocks := []slackgo.Block{mrkdwn("*" + esc(loc.T("list_attention", nil)) + "*")}
	tracked, shown := 0, 0
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
		lines, n, err := a.attention(ctx, chat.ID, loc, now)
		if err != nil {
			return err
		}
		tracked += n
		if len(lines) == 0 || len(blocks) >= maxHomeBlocks {
			continue
		}
		where := "<#" + chat.ExternalID + ">" // Slack shows the channel's name
		if chat.ExternalID == im {
			where = ":speech_balloon:"
		}
		for _, b := range sections(where + "\n" + esc(strings.Join(lines, "\n"))) {
			if len(blocks) < maxHomeBlocks {
				blocks = append(blocks, b)
			}
		}
		shown++
	}
	switch {
	case tracked == 0:
		blocks = append(blocks, mrkdwn(esc(loc.T("list_empty", nil))))
	case shown == 0:
		blocks = append(blocks, mrkdwn(":white_check_mark:"))
	}
	_, err = a.api.PublishViewContext(ctx, slackgo.PublishViewContextRequest{
		UserID: user, View: slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: slackgo.Blocks{BlockSet: blocks}}})
	if err != nil {
		return classify("views.publish", err)
	}
	return nil
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
