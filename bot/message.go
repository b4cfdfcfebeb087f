// Package bot is trackbot's conversation core. It turns a chat message into
// a reply and an outbox row into a push, in the chat's language, without
// knowing which chat platform carries them: adapters translate between a
// platform and the Message and Reply values defined here.
package bot

import "context"

// Platform names a chat platform.
type Platform string

// The platforms trackbot speaks on.
const (
	Telegram Platform = "telegram"
	Slack    Platform = "slack"
	Console  Platform = "console"
)

// ReceivesFiles reports whether people can send the bot a file on the
// platform (a list of parcels to import): in a Telegram or Slack chat they
// can; a terminal has no way to.
func (p Platform) ReceivesFiles() bool { return p != Console }

// ChatKind tells private conversations from shared ones.
type ChatKind string

// The kinds of chat.
const (
	Private ChatKind = "private"
	Group   ChatKind = "group"
	Channel ChatKind = "channel"
)

// ChatRef identifies a chat on its platform.
type ChatRef struct {
	Platform Platform
	// Team is the workspace on platforms that have one (Slack); "" elsewhere.
	Team string
	// ID is the platform's id of the chat or channel.
	ID   string
	Kind ChatKind
}

// Message is what a person said or pressed.
type Message struct {
	Chat ChatRef
	// User is the platform's id of the person.
	User string
	// Text is what was typed; empty when a button was pressed.
	Text string
	// Action is the pressed button, or nil.
	Action *Action
	// File is a document sent with the message (a list of parcels to
	// import), or nil.
	File *File
	// Language is the platform's hint of the person's language ("de-AT").
	Language string
	// Via is the adapter the message came through, or nil. The core uses
	// its optional abilities (Indicator, Admins, Whisperer) while it
	// answers.
	Via Adapter
	// Unseen marks text that the other members of a shared chat did not
	// see (a Slack slash command, whose text is never posted): a secret
	// in it is still a secret.
	Unseen bool
}

// Action is a pressed button: the action the button carried and its payload.
type Action struct {
	Name    string
	Payload string
}

// Reply is what trackbot answers: blocks of text, timelines and buttons,
// which each adapter renders natively.
type Reply struct {
	Blocks []Block
	// Replace asks the adapter to edit the message the pressed button
	// belongs to instead of sending a new one, where it can.
	Replace bool
	// Urgent marks a push that needs someone to act; a platform with
	// threads also shows it in the channel.
	Urgent bool
	// File is a document sent with the reply (an export), or nil.
	File *Document
}

// Block is one part of a reply. Exactly one of its fields is set.
type Block struct {
	Text     *Text
	Timeline []TimelineEntry
	Buttons  []Button
}

// Text is a paragraph. Title marks a heading; Emphasis marks parts a
// renderer may stress. Every string is plain text: adapters escape it.
type Text struct {
	Title bool
	Body  string
}

// TimelineEntry is one line of a shipment's journey.
type TimelineEntry struct {
	When        string
	Description string
	Place       string
	Carrier     string
}

// Button carries an action and an opaque payload back to the core.
type Button struct {
	Label   string
	Action  string
	Payload string
}

// Adapter connects the core to one chat platform.
//
// Run receives messages until ctx ends and hands each to the handler,
// sending back the replies it returns. Send delivers a push to a chat; it
// returns an error wrapping ErrChatGone when the platform says the chat can
// never be reached again, a *RetryError when the platform asks to wait, and
// a *MovedError when the chat now lives under another id.
type Adapter interface {
	Platform() Platform
	Run(ctx context.Context, h Handler) error
	Send(ctx context.Context, chat ChatRef, r Reply) error
}

// Indicator is an optional ability of an Adapter: showing a chat that its
// answer is on the way while the core does something slow, a lookup at
// the carriers, which can take many seconds. The core decides what is
// slow; the adapter how to show it. Working starts showing it in chat;
// note is the localized words for it ("Looking it up…") for a platform
// without a sign of its own, which should print them only once the
// answer is late. The core calls the returned stop before it returns its
// replies; nothing is shown after stop has returned.
type Indicator interface {
	Working(ctx context.Context, chat ChatRef, note string) (stop func())
}

// Admins is an optional ability of an Adapter: telling whether a person
// administers a shared chat. The core asks it before anything that
// deletes what a whole group or channel follows (forgetting the chat,
// removing a parcel), so that any member cannot wipe it. IsAdmin returns
// true when user may do so in chat, false when not, and an error when the
// platform could not say; private chats are never asked about. In a group
// or channel reached through an adapter without this ability, the core
// refuses such commands.
type Admins interface {
	IsAdmin(ctx context.Context, chat ChatRef, user string) (bool, error)
}

// Whisperer is an optional ability of an Adapter: telling one person of
// a shared chat something the others must not see, such as the secret of
// the chat's order feed (/connect). Slack shows it in the channel to that
// person only (an ephemeral message); Telegram writes to the person's
// private chat with the bot. Whisper returns an error wrapping ErrChatGone
// when the platform cannot reach the person privately (on Telegram, a
// person who never started the bot). The core sends secrets into shared
// chats only through it.
type Whisperer interface {
	Whisper(ctx context.Context, chat ChatRef, user string, r Reply) error
}

// Handler answers one message.
type Handler interface {
	Handle(ctx context.Context, m Message) []Reply
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, m Message) []Reply

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, m Message) []Reply { return f(ctx, m) }

// TextReply is a reply of one paragraph.
func TextReply(body string) Reply {
	return Reply{Blocks: []Block{{Text: &Text{Body: body}}}}
}
