package telegram

import (
	"context"
	"log/slog"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/locales"
)

// menuCommands are the commands Telegram's menu offers, in its order: the
// core's in-menu commands.
func menuCommands() []string {
	var out []string
	for _, c := range bot.Commands() {
		if c.Menu {
			out = append(out, c.Name)
		}
	}
	return out
}

// menu is the command menu in a localizer's language, described by the
// catalog's menu_<command> messages.
func menu(loc *locales.Localizer) []models.BotCommand {
	names := menuCommands()
	out := make([]models.BotCommand, 0, len(names))
	for _, c := range names {
		out = append(out, models.BotCommand{Command: c, Description: loc.T("menu_"+c, nil)})
	}
	return out
}

// setCommands publishes the command menu: once per catalog language, for
// clients in that language, and once without a language code, in the
// catalog's default language, for everyone else. A failure only costs
// the menu, so it is logged.
// https://core.telegram.org/bots/api#setmycommands
func (a *Adapter) setCommands(ctx context.Context) {
	set := func(lang, code string) {
		_, err := a.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: menu(a.cfg.Catalog.Localizer(lang)), LanguageCode: code})
		if err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "telegram: setMyCommands failed", "language", code, "err", scrub(err.Error(), a.cfg.Token))
		}
	}
	set(a.cfg.Catalog.Localizer("").Language(), "")
	for _, lang := range a.cfg.Catalog.Languages() {
		set(lang, lang)
	}
}
