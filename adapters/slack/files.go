package slack

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/trackbot/trackbot/bot"
)

// onFileShared hands a file shared in a conversation the bot is in to the
// core, which imports it when it is a list of parcels (and keeps quiet in
// a channel otherwise). The file's details come from files.info; its
// content is downloaded only when the core reads it, with the bot token.
// The bot's own uploads (exports) are not read back.
// https://docs.slack.dev/reference/events/file_shared
// https://docs.slack.dev/reference/methods/files.info
func (a *Adapter) onFileShared(team string, e *slackevents.FileSharedEvent) bool {
	if e.UserID == "" || e.UserID == a.botUser || e.ChannelID == "" || e.FileID == "" {
		return true
	}
	m := bot.Message{Chat: chatRef(team, e.ChannelID), User: e.UserID}
	o := origin{chat: m.Chat}
	return a.spawn(func(context.Context) {
		// A file of thousands of lines takes longer to track than the
		// minute a message gets.
		ctx, cancel := context.WithTimeout(a.workCtx, importTimeout)
		defer cancel()
		f, _, _, err := a.api.GetFileInfoContext(ctx, e.FileID, 0, 0)
		if err != nil {
			slog.WarnContext(ctx, "slack: cannot read a shared file's details", "file", e.FileID, "err", err)
			return
		}
		if f.User == a.botUser || f.IsExternal {
			return
		}
		download := f.URLPrivateDownload
		m.File = &bot.File{Name: f.Name, Type: f.Mimetype, Size: int64(f.Size),
			Read: func(ctx context.Context, limit int64) ([]byte, error) {
				w := &capped{limit: limit}
				if err := a.api.GetFileContext(ctx, download, w); err != nil {
					return nil, fmt.Errorf("slack: download %s: %w", e.FileID, err)
				}
				return w.buf.Bytes(), nil
			}}
		a.converse(ctx, m, o)
	})
}

// importTimeout bounds the handling of a shared file: downloading it,
// tracking up to 5,000 lines and answering.
const importTimeout = 10 * time.Minute

// capped is a buffer that refuses to hold more than limit bytes.
type capped struct {
	buf   bytes.Buffer
	limit int64
}

func (c *capped) Write(p []byte) (int, error) {
	if int64(c.buf.Len()+len(p)) > c.limit {
		return 0, fmt.Errorf("slack: file over %d bytes: %w", c.limit, bot.ErrFileTooBig)
	}
	return c.buf.Write(p)
}

// upload delivers a reply that carries a file: the file is shared in the
// conversation (in the thread the message came from) with the reply's
// text as its comment, through Slack's external upload: an upload URL
// from files.getUploadURLExternal, the bytes posted to it, and
// files.completeUploadExternal.
// https://docs.slack.dev/messaging/working-with-files#uploading_files
func (a *Adapter) upload(ctx context.Context, o origin, r bot.Reply) error {
	_, text := render(r)
	_, err := a.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
		Filename: r.File.Name, Title: r.File.Name, FileSize: len(r.File.Data), Reader: bytes.NewReader(r.File.Data),
		Channel: o.chat.ID, ThreadTimestamp: o.thread, InitialComment: text,
	})
	if err != nil {
		return classify("files.upload", err)
	}
	return nil
}
