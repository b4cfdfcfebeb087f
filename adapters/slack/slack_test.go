package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
)

// chatOf returns the store's chat of a Slack channel.
func chatOf(t *testing.T, s *store.Store, channel string) *store.Chat {
	t.Helper()
	chats, err := s.ActiveChats(context.Background(), string(bot.Slack), team)
	if err != nil {
		t.Fatal(err)
	}
	for i := range chats {
		if chats[i].ExternalID == channel {
			return &chats[i]
		}
	}
	t.Fatalf("no chat for channel %s", channel)
	return nil
}

func TestTrackCommandRepliesInChannelAndButtonsActOnTheirOwnChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		e.start()

		rec := e.command("C1", cainiaoN+" order #42")
		if rec.Code != 200 {
			t.Fatalf("command: %d %s", rec.Code, rec.Body)
		}
		var ack struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &ack); err != nil || ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, "/track "+cainiaoN+" order #42") {
			t.Fatalf("acknowledgement %s (%v), want an ephemeral echo of the command", rec.Body, err)
		}
		posts := e.slack.called("chat.postMessage", "C1")
		if len(posts) == 0 {
			t.Fatal("no reply was posted to the channel")
		}
		card := posts[0]
		text := joined(t, card)
		for _, want := range []string{cainiaoN, "Cainiao", "Order: #42", "Accepted by the carrier"} {
			if !strings.Contains(text, want) {
				t.Errorf("the card does not say %q:\n%s", want, text)
			}
		}
		if card.Form.Get("text") == "" {
			t.Error("the card has no fallback text")
		}
		btn := buttons(t, card)
		subID := btn["mute"]
		if btn["refresh"] == "" || subID == "" || btn["refresh"] != subID {
			t.Fatalf("buttons %v, want refresh and mute of one subscription", btn)
		}
		c1 := chatOf(t, s, "C1")
		if c1.TeamID != team || c1.Kind != string(bot.Channel) || c1.Role != "seller" {
			t.Errorf("chat %+v, want team %s, a channel, seller role", c1, team)
		}
		tr, err := s.FindSubscription(ctx, c1.ID, cainiaoN)
		if err != nil || tr.Sub.OrderRef != "#42" {
			t.Fatalf("subscription %+v, %v", tr.Sub, err)
		}
		cardTS := card.TS

		// Refresh from the card's own channel edits the card.
		calls := e.cainiao.Calls(cainiaoN)
		if rec := e.press("C1", cardTS, "refresh", btn["refresh"]); rec.Code != 200 {
			t.Fatalf("press: %d", rec.Code)
		}
		if e.cainiao.Calls(cainiaoN) != calls+1 {
			t.Error("refresh did not look the number up")
		}
		updates := e.slack.called("chat.update", "C1")
		if len(updates) != 1 || updates[0].Form.Get("ts") != cardTS || !strings.Contains(joined(t, updates[0]), cainiaoN) {
			t.Fatalf("refresh edits %+v, want the card %s updated", updates, cardTS)
		}

		// The same buttons pressed in another channel are refused.
		e.command("C2", "list")
		before := len(e.slack.called("chat.postMessage", "C2"))
		for _, action := range []string{"mute", "remove"} {
			e.press("C2", "1700000000.000999", action, subID)
		}
		refusals := e.slack.called("chat.postMessage", "C2")[before:]
		if len(refusals) != 2 {
			t.Fatalf("presses from C2 got %d replies, want 2 refusals", len(refusals))
		}
		for _, r := range refusals {
			if !strings.Contains(joined(t, r), "no longer tracks") {
				t.Errorf("reply in C2 %q, want a refusal", joined(t, r))
			}
		}
		if len(e.slack.called("chat.update", "")) != 1 || len(e.slack.called("chat.postMessage", "C1")) != len(posts) {
			t.Error("a press in C2 changed a message of C1")
		}
		tr, err = s.Subscription(ctx, c1.ID, tr.Sub.ID)
		if err != nil || tr.Sub.Muted {
			t.Fatalf("after presses from C2: %+v, %v; want C1's shipment untouched", tr.Sub, err)
		}

		// Mute from C1 mutes C1's shipment and edits its card.
		e.press("C1", cardTS, "mute", subID)
		tr, err = s.Subscription(ctx, c1.ID, tr.Sub.ID)
		if err != nil || !tr.Sub.Muted {
			t.Fatalf("after mute in C1: %+v, %v", tr.Sub, err)
		}
		updates = e.slack.called("chat.update", "C1")
		if len(updates) != 2 || !strings.Contains(joined(t, updates[1]), "Alerts for") {
			t.Errorf("mute should edit the card: %d updates", len(updates))
		}
		if _, ok := buttons(t, updates[1])["unmute"]; !ok {
			t.Error("the muted card offers no unmute button")
		}
	})
}

func TestForgedOrStaleRequestsAreRefusedAndWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.start()
		form := url.Values{"team_id": {team}, "channel_id": {"C9"}, "user_id": {"U1"}, "command": {"/track"},
			"text": {cainiaoN}, "response_url": {e.slack.srv.URL + "/response/x"}}.Encode()
		interaction := url.Values{"payload": {`{"type":"block_actions","team":{"id":"T1"},"channel":{"id":"C9"},"user":{"id":"U1"},"actions":[{"action_id":"forget","value":"confirm"}]}`}}.Encode()
		event := `{"type":"event_callback","team_id":"T1","event_id":"Ev9","event":{"type":"app_mention","user":"U1","text":"<@UBOT> list","channel":"C9","ts":"1.2"}}`
		before := e.slack.count()
		const formType, jsonType = "application/x-www-form-urlencoded", "application/json"
		cases := []struct {
			name    string
			handler http.Handler
			ct      string
			body    string
			key     string
			age     time.Duration
		}{
			{"command with a forged signature", e.adapter.CommandsHandler(), formType, form, "not-the-secret", 0},
			{"command six minutes old", e.adapter.CommandsHandler(), formType, form, secret, 6 * time.Minute},
			{"button with a forged signature", e.adapter.InteractionsHandler(), formType, interaction, "wrong", 0},
			{"event six minutes old", e.adapter.EventsHandler(), jsonType, event, secret, 6 * time.Minute},
			{"event from the future", e.adapter.EventsHandler(), jsonType, event, secret, -6 * time.Minute},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if rec := e.request(tc.handler, tc.ct, tc.body, tc.key, tc.age); rec.Code != 401 {
					t.Errorf("status %d, want 401", rec.Code)
				}
			})
		}
		// No signature at all.
		rec := e.request(e.adapter.CommandsHandler(), "application/x-www-form-urlencoded", form, secret, 0,
			"X-Slack-Signature", "")
		if rec.Code != 401 {
			t.Errorf("unsigned: status %d, want 401", rec.Code)
		}
		e.idle()
		chats, err := s.ActiveChats(context.Background(), string(bot.Slack), "")
		if err != nil || len(chats) != 0 {
			t.Errorf("refused requests created chats %+v (%v)", chats, err)
		}
		if n := e.slack.count() - before; n != 0 {
			t.Errorf("refused requests made %d Slack calls", n)
		}
		// The same command properly signed and fresh goes through.
		if rec := e.request(e.adapter.CommandsHandler(), "application/x-www-form-urlencoded", form, secret, 4*time.Minute); rec.Code != 200 {
			t.Errorf("a valid command four minutes old: %d", rec.Code)
		}
	})
}

func TestOversizedBodyIsRefused(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	e.start()
	body := "text=" + strings.Repeat("x", maxBody)
	if rec := e.request(e.adapter.CommandsHandler(), "application/x-www-form-urlencoded", body, secret, 0); rec.Code != 413 {
		t.Errorf("status %d, want 413", rec.Code)
	}
}

// alerts drives one engine refresh and one notifier round, and returns the
// messages each channel got in it.
func (e *env) alerts(n *bot.Notifier, shipmentID int64, result tracking.Result, channels ...string) map[string][]call {
	e.t.Helper()
	ctx := context.Background()
	before := map[string]int{}
	for _, ch := range channels {
		before[ch] = len(e.slack.called("chat.postMessage", ch))
	}
	e.cainiao.Set(cainiaoN, result)
	e.clock.Advance(2 * time.Hour)
	if _, err := e.engine.Refresh(ctx, shipmentID); err != nil {
		e.t.Fatal(err)
	}
	if _, err := n.RunOnce(ctx); err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]call{}
	for _, ch := range channels {
		out[ch] = e.slack.called("chat.postMessage", ch)[before[ch]:]
	}
	return out
}

func TestAlertsOfAShipmentShareOneThreadPerChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		e.start()
		e.command("C1", cainiaoN+" Lamp")
		e.command("C2", cainiaoN+" order #7")
		// Threads are the point here: both channels hear every change,
		// where a channel's default hears only what needs action.
		e.command("C1", "alerts changes")
		e.command("C2", "alerts changes")
		c1, c2 := chatOf(t, s, "C1"), chatOf(t, s, "C2")
		tr1, err := s.FindSubscription(ctx, c1.ID, cainiaoN)
		if err != nil {
			t.Fatal(err)
		}
		tr2, err := s.FindSubscription(ctx, c2.ID, cainiaoN)
		if err != nil || tr2.Shipment.ID != tr1.Shipment.ID {
			t.Fatalf("the channels should share one shipment: %v", err)
		}
		n := bot.NewNotifier(s, e.cat, e.clock, e.adapter)

		accepted := event(-48, tracking.SubPackageAccepted, "Accepted by the carrier", "Shenzhen", "CN")
		departed := event(1, tracking.SubPackageDeparted, "Departed from the origin country", "Shenzhen", "CN")
		held := event(3, tracking.SubCustomsHeld, "Held by customs: duties unpaid", "Frankfurt", "DE")
		res := func(evs ...tracking.Event) tracking.Result {
			return tracking.Result{Number: cainiaoN, Carrier: tracking.CarrierCainiao, Events: evs}
		}

		first := e.alerts(n, tr1.Shipment.ID, res(accepted, departed), "C1", "C2")
		thread := map[string]string{}
		for _, ch := range []string{"C1", "C2"} {
			if len(first[ch]) != 1 {
				t.Fatalf("%s got %d messages for the first alert, want 1", ch, len(first[ch]))
			}
			m := first[ch][0]
			if m.Form.Get("thread_ts") != "" || !strings.Contains(joined(t, m), "Departed") {
				t.Errorf("%s: first alert %q in thread %q, want a new message in the channel", ch, joined(t, m), m.Form.Get("thread_ts"))
			}
		}
		for _, sub := range []struct {
			ch   string
			chat int64
			id   int64
		}{{"C1", c1.ID, tr1.Sub.ID}, {"C2", c2.ID, tr2.Sub.ID}} {
			tr, err := s.Subscription(ctx, sub.chat, sub.id)
			if err != nil || tr.Sub.ThreadRef == "" {
				t.Fatalf("%s: no thread stored: %+v %v", sub.ch, tr.Sub, err)
			}
			thread[sub.ch] = tr.Sub.ThreadRef
		}
		if thread["C1"] == thread["C2"] {
			t.Fatalf("both channels share thread %s", thread["C1"])
		}
		if !strings.Contains(joined(t, first["C1"][0]), "Lamp") || strings.Contains(joined(t, first["C1"][0]), "#7") {
			t.Errorf("C1's alert carries another channel's words: %s", joined(t, first["C1"][0]))
		}
		if !strings.Contains(joined(t, first["C2"][0]), "#7") || strings.Contains(joined(t, first["C2"][0]), "Lamp") {
			t.Errorf("C2's alert carries another channel's words: %s", joined(t, first["C2"][0]))
		}

		second := e.alerts(n, tr1.Shipment.ID, res(accepted, departed, held), "C1", "C2")
		for _, ch := range []string{"C1", "C2"} {
			// One event, one message: the hold's alert carries its advice.
			if len(second[ch]) != 1 {
				t.Fatalf("%s got %d messages for the customs hold, want 1", ch, len(second[ch]))
			}
			for _, m := range second[ch] {
				if got := m.Form.Get("thread_ts"); got != thread[ch] {
					t.Errorf("%s: second alert in thread %q, want %q (the first alert's ts)", ch, got, thread[ch])
				}
			}
			m := second[ch][0]
			if !strings.Contains(joined(t, m), "Held at customs") || m.Form.Get("reply_broadcast") != "true" {
				t.Errorf("%s: urgent alert %q broadcast=%q, want it shown in the channel too", ch, joined(t, m), m.Form.Get("reply_broadcast"))
			}
			if !strings.Contains(joined(t, m), "❗ "+cainiaoN+" is held at customs: import charges are due.") {
				t.Errorf("%s: the hold's alert lacks its advice:\n%s", ch, joined(t, m))
			}
		}

		// A delivery's advice offers a button: it comes in the delivery's
		// alert, beside the alert's own.
		delivered := event(20, tracking.SubDelivered, "Delivered", "Berlin", "DE")
		third := e.alerts(n, tr1.Shipment.ID, res(accepted, departed, held, delivered), "C1", "C2")
		for _, ch := range []string{"C1", "C2"} {
			if len(third[ch]) != 1 {
				t.Fatalf("%s got %d messages for the delivery, want 1", ch, len(third[ch]))
			}
			m := third[ch][0]
			if got := actionIDs(t, m); !strings.Contains(joined(t, m), "Delivered") || !slices.Equal(got, []string{"info", "missing", "ack", "snooze", "mute"}) {
				t.Errorf("%s: delivery alert %q with buttons %q, want the advice's \"missing\" after \"info\"", ch, joined(t, m), got)
			}
		}
	})
}

// actionIDs lists the action ids of a message's buttons, in order.
func actionIDs(t *testing.T, c call) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["action_id"].(string); ok && x["type"] == "button" {
				out = append(out, id)
			}
			for _, k := range []string{"elements", "accessory"} {
				walk(x[k])
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	walk(c.blocks(t))
	return out
}

func TestUserTextIsEscapedAndPingsNobody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.start()
		// What Slack sends when someone types the label "@channel <b>&" and the
		// order reference "@ann".
		e.command("C1", cainiaoN+" <!channel> &lt;b&gt;&amp; order <@U123>")
		posts := e.slack.called("chat.postMessage", "C1")
		if len(posts) == 0 {
			t.Fatal("no reply")
		}
		text := joined(t, posts[0])
		for _, want := range []string{"*&lt;!channel&gt; &lt;b&gt;&amp; · " + cainiaoN + "*", "Order: &lt;@U123&gt;"} {
			if !strings.Contains(text, want) {
				t.Errorf("blocks lack %q:\n%s", want, text)
			}
		}
		for _, m := range posts {
			all := joined(t, m) + "\n" + m.Form.Get("text")
			if strings.Contains(all, "<!channel>") || strings.Contains(all, "<@U123>") || strings.Contains(all, "<b>") {
				t.Errorf("a raw mention reached Slack:\n%s", all)
			}
		}
	})
}

func TestEventsAreTakenOnceAndChallengesAnswered(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	e.start()
	h := e.adapter.EventsHandler()
	rec := e.request(h, "application/json", `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, secret, 0)
	if rec.Code != 200 || rec.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge: %d %q", rec.Code, rec.Body)
	}
	mention := `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev08MFMKH6","event_time":1700000000,
		"event":{"type":"app_mention","user":"U1","text":"<@UBOT> list","ts":"1700000000.000100","channel":"C5","event_ts":"1700000000.000100"}}`
	for i, retry := range []string{"", "1", "2"} {
		var hdr []string
		if retry != "" {
			hdr = []string{"X-Slack-Retry-Num", retry, "X-Slack-Retry-Reason", "http_timeout"}
		}
		if rec := e.request(h, "application/json", mention, secret, 0, hdr...); rec.Code != 200 {
			t.Fatalf("delivery %d: %d", i, rec.Code)
		}
		e.idle()
	}
	replies := e.slack.called("chat.postMessage", "C5")
	if len(replies) != 1 {
		t.Fatalf("an event delivered 3 times got %d replies, want 1", len(replies))
	}
	if !strings.Contains(joined(t, replies[0]), "don't track any parcel") {
		t.Errorf("@trackbot list answered %q", joined(t, replies[0]))
	}

	// A direct message with a number tracks it; bot messages are ignored.
	dm := `{"type":"event_callback","team_id":"T1","event_id":"Ev2","event":{"type":"message","channel_type":"im","user":"U1","text":"DEMO-DELIVERED Shoes","ts":"1.1","channel":"D1"}}`
	own := `{"type":"event_callback","team_id":"T1","event_id":"Ev3","event":{"type":"message","channel_type":"im","subtype":"bot_message","bot_id":"B1","text":"DEMO-LIVE","ts":"1.2","channel":"D1"}}`
	e.request(h, "application/json", dm, secret, 0)
	e.request(h, "application/json", own, secret, 0)
	e.idle()
	replies = e.slack.called("chat.postMessage", "D1")
	if len(replies) != 1 || !strings.Contains(joined(t, replies[0]), "Shoes · DEMO-DELIVERED") {
		t.Fatalf("direct message replies: %d", len(replies))
	}
	d1 := chatOf(t, e.store, "D1")
	if d1.Kind != string(bot.Private) {
		t.Errorf("a direct message is a %s chat", d1.Kind)
	}
}

// TestAnEventRetriedToAnotherReplicaIsTakenOnce: behind a load balancer,
// Slack's retry of an event may reach another replica, or a replica that
// restarted; the event id is claimed in the shared store, so it is answered
// once.
func TestAnEventRetriedToAnotherReplicaIsTakenOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, b := newEnv(t, s), newEnv(t, s)
		b.slack, b.adapter = a.slack, a.replica(-1) // one Slack workspace
		a.start()
		b.start()
		mention := `{"type":"event_callback","team_id":"T1","event_id":"EvRetried","event":{"type":"app_mention","user":"U1","text":"<@UBOT> list","ts":"1.1","channel":"C5"}}`
		for i, e := range []*env{a, b, a} {
			var hdr []string
			if i > 0 {
				hdr = []string{"X-Slack-Retry-Num", fmt.Sprint(i), "X-Slack-Retry-Reason", "http_timeout"}
			}
			if rec := e.request(e.adapter.EventsHandler(), "application/json", mention, secret, 0, hdr...); rec.Code != 200 {
				t.Fatalf("delivery %d: %d", i, rec.Code)
			}
			e.idle()
		}
		if n := len(a.slack.called("chat.postMessage", "C5")); n != 1 {
			t.Errorf("an event delivered to two replicas got %d replies, want 1", n)
		}
	})
}

// TestDigestIsNotRepeatedAfterARestart: a replica restarted within the
// digest hour finds the day's digest claimed and does not post it again.
func TestDigestIsNotRepeatedAfterARestart(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	e.start()
	e.adapter.digestHour = 9
	e.command("C1", "DEMO-STALLED Jacket")
	e.clock.Set(time.Date(2026, 11, 2, 9, 5, 0, 0, time.UTC))
	if n, err := e.adapter.digestOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first round: %d digests, %v", n, err)
	}
	restarted := e.replica(9)
	e.clock.Advance(20 * time.Minute)
	if n, err := restarted.digestOnce(ctx); err != nil || n != 0 {
		t.Errorf("the restarted replica posted %d digests (%v), want none", n, err)
	}
	// A digest Slack asked to retry is given back and posted later.
	e.clock.Set(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	e.slack.fail["C1"] = failure{status: 429, retryAfter: "1"}
	if n, _ := restarted.digestOnce(ctx); n != 0 {
		t.Fatalf("posted %d digests into a 429", n)
	}
	delete(e.slack.fail, "C1")
	if n, err := restarted.digestOnce(ctx); err != nil || n != 1 {
		t.Errorf("after the 429: %d digests (%v), want the day's one", n, err)
	}
}

func TestSendErrorsMapToTheCoresErrors(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	e.slack.fail["C7"] = failure{status: 429, retryAfter: "7"}
	e.slack.fail["C8"] = failure{slackErr: "channel_not_found"}
	e.slack.fail["C9"] = failure{slackErr: "is_archived"}
	e.slack.fail["C10"] = failure{slackErr: "invalid_blocks"}
	ctx := context.Background()
	reply := bot.TextReply("hello")
	ref := func(id string) bot.ChatRef { return chatRef(team, id) }

	err := e.adapter.Send(ctx, ref("C7"), reply)
	var retry *bot.RetryError
	if !errors.As(err, &retry) || retry.After != 7*time.Second {
		t.Errorf("429: %v, want a RetryError after 7s", err)
	}
	if _, err := e.adapter.SendInThread(ctx, ref("C7"), "1.1", reply); !errors.As(err, &retry) {
		t.Errorf("429 in a thread: %v", err)
	}
	for _, ch := range []string{"C8", "C9"} {
		if err := e.adapter.Send(ctx, ref(ch), reply); !errors.Is(err, bot.ErrChatGone) {
			t.Errorf("%s: %v, want ErrChatGone", ch, err)
		}
	}
	err = e.adapter.Send(ctx, ref("C10"), reply)
	if err == nil || errors.Is(err, bot.ErrChatGone) || errors.As(err, &retry) {
		t.Errorf("invalid_blocks: %v, want a plain error", err)
	}
	if err := e.adapter.Send(ctx, ref("C11"), reply); err != nil {
		t.Errorf("a working channel: %v", err)
	}
}

func TestGoneChannelIsDeactivatedByTheNotifier(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	e.start()
	e.command("C1", cainiaoN)
	e.command("C1", "alerts changes") // so that the departure is pushed
	c1 := chatOf(t, s, "C1")
	tr, err := s.FindSubscription(ctx, c1.ID, cainiaoN)
	if err != nil {
		t.Fatal(err)
	}
	e.slack.mu.Lock()
	e.slack.fail["C1"] = failure{slackErr: "channel_not_found"}
	e.slack.mu.Unlock()
	n := bot.NewNotifier(s, e.cat, e.clock, e.adapter)
	e.alerts(n, tr.Shipment.ID, tracking.Result{Number: cainiaoN, Carrier: tracking.CarrierCainiao, Events: []tracking.Event{
		event(-48, tracking.SubPackageAccepted, "Accepted", "Shenzhen", "CN"), event(1, tracking.SubPackageDeparted, "Departed", "Shenzhen", "CN")}}, "C1")
	c, err := s.Chat(ctx, c1.ID)
	if err != nil || c.Active {
		t.Errorf("after channel_not_found the chat is %+v (%v), want it inactive", c, err)
	}
}

func TestHomeTabShowsWhatNeedsAttentionInTheUsersChannels(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	e.start()
	e.command("C1", "DEMO-STALLED Jacket")
	e.command("C1", "DEMO-DELIVERED Shoes")
	e.command("C3", "DEMO-CUSTOMS Secret")
	e.slack.members["U1"] = []string{"C1", "C2"}
	ev := `{"type":"event_callback","team_id":"T1","event_id":"EvHome","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.1"}}`
	if rec := e.request(e.adapter.EventsHandler(), "application/json", ev, secret, 0); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	e.idle()
	views := e.slack.called("views.publish", "")
	if len(views) != 1 {
		t.Fatalf("%d views published, want 1", len(views))
	}
	v := views[0]
	if v.JSON["user_id"] != "U1" {
		t.Errorf("published for %v", v.JSON["user_id"])
	}
	view, _ := v.JSON["view"].(map[string]any)
	text := strings.Join(texts(view["blocks"]), "\n")
	if view["type"] != "home" || !strings.Contains(text, "<#C1>") || !strings.Contains(text, "Jacket") {
		t.Errorf("home view lacks C1's stalled jacket:\n%s", text)
	}
	if strings.Contains(text, "Shoes") || strings.Contains(text, "Secret") {
		t.Errorf("home view shows what needs no attention or another channel's shipment:\n%s", text)
	}
}

func TestDigestPostsOncePerDayAtTheChannelsHour(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s)
	e.start()                // without the digest loop, which would race the rounds below
	e.adapter.digestHour = 9 // read by digestOnce only
	e.command("C1", "DEMO-STALLED Jacket")
	e.command("C2", "DEMO-STALLED-DE Coat")
	e.command("C2", "tz Europe/Berlin")
	e.command("C3", "DEMO-DELIVERED Shoes")

	e.clock.Set(time.Date(2026, 11, 2, 9, 5, 0, 0, time.UTC)) // 10:05 in Berlin
	before := len(e.slack.called("chat.postMessage", ""))
	if n, err := e.adapter.digestOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first round: %d digests, %v; want C1's only", n, err)
	}
	posts := e.slack.called("chat.postMessage", "")[before:]
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" || !strings.Contains(joined(t, posts[0]), "Needs attention") ||
		!strings.Contains(joined(t, posts[0]), "Jacket") {
		t.Fatalf("digest posts %+v", posts)
	}
	e.clock.Advance(30 * time.Minute)
	if n, _ := e.adapter.digestOnce(ctx); n != 0 {
		t.Errorf("a second round the same day posted %d digests", n)
	}
	e.clock.Set(time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)) // 09:00 in Berlin
	if n, _ := e.adapter.digestOnce(ctx); n != 1 || last(e.slack.called("chat.postMessage", "")).Form.Get("channel") != "C2" {
		t.Errorf("Berlin's digest hour: %d digests", n)
	}
	e.clock.Set(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	if n, _ := e.adapter.digestOnce(ctx); n != 1 {
		t.Errorf("next day: %d digests, want C1's again", n)
	}
}

func last(cs []call) call {
	if len(cs) == 0 {
		return call{}
	}
	return cs[len(cs)-1]
}

func TestSocketModeAcknowledgesAndAnswers(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite), func(c *Config) { c.AppToken, c.SigningSecret = "xapp-test", "" })
	e.start()
	send := func(env map[string]any) map[string]any {
		t.Helper()
		select {
		case e.slack.envelopes <- env:
		case <-time.After(15 * time.Second):
			t.Fatal("the Socket Mode client did not connect")
		}
		select {
		case ack := <-e.slack.acks:
			e.idle()
			return ack
		case <-time.After(15 * time.Second):
			t.Fatalf("envelope %v was not acknowledged", env["envelope_id"])
		}
		return nil
	}

	ack := send(map[string]any{"envelope_id": "e1", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"team_id": team, "channel_id": "C1", "user_id": "U1", "command": "/track",
			"text": "DEMO-STALLED Jacket", "response_url": e.slack.srv.URL + "/response/sm"}})
	payload, _ := ack["payload"].(map[string]any)
	if ack["envelope_id"] != "e1" || payload["response_type"] != "ephemeral" {
		t.Errorf("command ack %v", ack)
	}
	posts := e.slack.called("chat.postMessage", "C1")
	if len(posts) != 1 || !strings.Contains(joined(t, posts[0]), "Jacket · DEMO-STALLED") {
		t.Fatalf("command replies %d", len(posts))
	}

	mention := map[string]any{"envelope_id": "e2", "type": "events_api", "payload": map[string]any{
		"type": "event_callback", "team_id": team, "event_id": "EvSM1",
		"event": map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> info jacket", "channel": "C1", "ts": "1.5"}}}
	if ack := send(mention); ack["envelope_id"] != "e2" {
		t.Errorf("event ack %v", ack)
	}
	mention["envelope_id"], mention["retry_attempt"] = "e3", 1
	send(mention)
	if got := len(e.slack.called("chat.postMessage", "C1")); got != 2 {
		t.Errorf("a mention delivered twice got %d replies, want 1", got-1)
	}

	refresh := buttons(t, posts[0])["refresh"]
	send(map[string]any{"envelope_id": "e4", "type": "interactive", "payload": map[string]any{
		"type": "block_actions", "team": map[string]any{"id": team}, "user": map[string]any{"id": "U1"},
		"channel": map[string]any{"id": "C1"}, "container": map[string]any{"type": "message", "message_ts": posts[0].TS, "channel_id": "C1"},
		"actions": []map[string]any{{"type": "button", "block_id": "b1", "action_id": "refresh", "value": refresh}}}})
	if ups := e.slack.called("chat.update", "C1"); len(ups) != 1 || ups[0].Form.Get("ts") != posts[0].TS {
		t.Errorf("refresh over Socket Mode: %d updates", len(ups))
	}
}

func TestRunPostsTheDigestUnderItsLock(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	e := newEnv(t, s, func(c *Config) { c.DigestHour = 9 })
	// The channel tracks a stalled parcel before the adapter starts.
	e.bot.Handle(context.Background(), bot.Message{Chat: chatRef(team, "C1"), User: "U1", Text: "/track DEMO-STALLED Jacket"})
	e.clock.Set(time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC))
	e.start()
	expect.Eventually(30*time.Second, func() bool { return len(e.slack.called("chat.postMessage", "C1")) > 0 })
	posts := e.slack.called("chat.postMessage", "C1")
	if len(posts) != 1 || !strings.Contains(joined(t, posts[0]), "Jacket") {
		t.Fatalf("the digest loop posted %d messages", len(posts))
	}
}

func TestTwoReplicasPostOneDigest(t *testing.T) {
	ctx := context.Background()
	s1, u := storetest.OpenURL(t, store.Postgres) // skips without TEST_DATABASE_URL
	if _, err := s1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	digest := func(c *Config) { c.DigestHour = 9 }
	a, b := newEnv(t, s1, digest), newEnv(t, s2, digest)
	a.bot.Handle(ctx, bot.Message{Chat: chatRef(team, "C1"), User: "U1", Text: "/track DEMO-STALLED Jacket"})
	for _, e := range []*env{a, b} {
		e.clock.Set(time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC))
		e.start()
	}
	posted := func() int {
		return len(a.slack.called("chat.postMessage", "C1")) + len(b.slack.called("chat.postMessage", "C1"))
	}
	expect.Eventually(30*time.Second, func() bool { return posted() > 0 })
	time.Sleep(200 * time.Millisecond) // room for a second, wrong digest
	if n := posted(); n != 1 {
		t.Errorf("two replicas posted %d digests, want 1", n)
	}
}
