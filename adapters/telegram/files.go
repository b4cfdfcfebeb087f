package telegram

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
)

// maxCaption is the longest caption Telegram takes under a document.
// https://core.telegram.org/bots/api#senddocument
const maxCaption = 1024

// document is the file a message carries, for the core to import, or nil.
// Its content is fetched only when the core reads it: getFile names the
// file's path on the Bot API server, which serves it under the bot's
// token.
// https://core.telegram.org/bots/api#getfile
func (a *Adapter) document(m *models.Message) *bot.File {
	d := m.Document
	if d == nil {
		return nil
	}
	return &bot.File{Name: d.FileName, Type: d.MimeType, Size: d.FileSize,
		Read: func(ctx context.Context, limit int64) ([]byte, error) {
			f, err := a.api.GetFile(ctx, &tg.GetFileParams{FileID: d.FileID})
			if err != nil {
				return nil, fmt.Errorf("telegram: getFile: %w", scrubbed(err, a.cfg.Token))
			}
			data, err := a.download(ctx, a.api.FileDownloadLink(f), limit)
			if err != nil {
				return nil, scrubbed(err, a.cfg.Token)
			}
			return data, nil
		}}
}

// download fetches a file from the Bot API server, at most limit bytes.
func (a *Adapter) download(ctx context.Context, link string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	client := a.cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download: status %d", resp.StatusCode)
	}
	data, err := bot.ReadAtMost(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	return data, nil
}

// replyDocument answers with a file: the document, captioned with the
// reply's text when it fits a caption, else followed by it.
// https://core.telegram.org/bots/api#senddocument
func (a *Adapter) replyDocument(ctx context.Context, chatID int64, r bot.Reply) error {
	doc := *r.File
	r.File = nil
	parts := render(r)
	caption := ""
	if len(parts) == 1 && parts[0].keyboard == nil && len([]rune(parts[0].text)) <= maxCaption {
		caption, parts = parts[0].text, nil
	}
	err := a.patiently(ctx, func() error {
		return a.call(ctx, chatID, "sendDocument", func() error {
			_, err := a.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chatID,
				Document: &models.InputFileUpload{Filename: doc.Name, Data: bytes.NewReader(doc.Data)},
				Caption:  caption, ParseMode: models.ParseModeHTML})
			return err
		})
	})
	if err != nil || len(parts) == 0 {
		return err
	}
	return a.reply(ctx, chatID, 0, r)
}
