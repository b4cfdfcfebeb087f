package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/trackbot/trackbot/internal/expect"
	"github.com/trackbot/trackbot/store"
	"github.com/trackbot/trackbot/store/storetest"
	"github.com/trackbot/trackbot/tracking"
	"github.com/trackbot/trackbot/tracking/providers/demo"
	"github.com/trackbot/trackbot/wording"
)

// screenshotDir is where the browser test leaves its screenshots:
// web/testdata/out, which git ignores. docs/tracking-page.png is a
// compressed copy of one of them.
const screenshotDir = "testdata/out"

// chromium finds Debian's chromium. Without it the browser test skips,
// unless TRACKBOT_REQUIRE_BROWSER is set (.ci/run sets it), when it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("TRACKBOT_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on PATH, and TRACKBOT_REQUIRE_BROWSER is set: apt-get install chromium")
	}
	t.Skip("browser test skipped: no chromium on PATH (apt-get install chromium; set TRACKBOT_REQUIRE_BROWSER=1 to make this a failure)")
	return ""
}

// TestTrackingPageInABrowser follows a live demo parcel (one event a
// second) in a chat, shares it through the bot's Share button, and opens
// the link in headless Chromium: the state in words, the legs, the local
// carrier's link and the language switch, at a phone's and a desktop's
// width, without horizontal scrolling on the phone.
func TestTrackingPageInABrowser(t *testing.T) {
	path := chromium(t)
	s := storetest.Open(t, store.SQLite)
	w := newPageWorld(t, s, nil, time.Second)
	w.say(buyerChat, "/track DEMO-LIVE")
	sub := w.subscription(buyerChat, "DEMO-LIVE")
	local := demo.LocalNumber("DEMO-LIVE", "US")
	handedOver := expect.Eventually(30*time.Second, func() bool {
		time.Sleep(time.Second)
		w.press(buyerChat, "refresh", sub)
		return len(w.shipment("DEMO-LIVE").Legs) > 0
	})
	if !handedOver {
		t.Fatal("the live parcel was not handed over to the local post")
	}
	link := w.share(buyerChat, "share", sub)
	sh := w.shipment("DEMO-LIVE")
	post, _ := tracking.DestinationPostFor("US")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Flag("lang", "en-US"))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	defer cancelTimeout()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link))
	state := run(t, ctx, chromedp.Text(chromedp.CSS("#state")))
	lang := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
	legs := run(t, ctx, chromedp.Text(chromedp.CSS("#legs")))
	localHref := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("#local-link"), "href")).Value
	scrollWidth := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	clientWidth := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.clientWidth`))
	narrow := run(t, ctx, chromedp.FullScreenshot(100))
	do(chromedp.EmulateViewport(1280, 900))
	wide := run(t, ctx, chromedp.FullScreenshot(100))
	// A 1280 px window at 200 % zoom lays the page out in 640 CSS px.
	do(chromedp.EmulateViewport(640, 900, chromedp.EmulateScale(2)))
	zoomedScroll := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	zoomedClient := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.clientWidth`))
	if zoomedScroll > zoomedClient {
		t.Errorf("at 200 %% zoom the page scrolls sideways: %d > %d", zoomedScroll, zoomedClient)
	}
	do(chromedp.EmulateViewport(1280, 900))
	// The inline style sheet applies (the policy allows it by its hash),
	// and follows a dark system theme.
	light := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	weight := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("state")).fontWeight`))
	dark := []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: dark}); err != nil {
		t.Fatal(err)
	}
	night := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	darkShot := run(t, ctx, chromedp.FullScreenshot(100))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	if light != "rgb(255, 255, 255)" || weight != "700" || night == light {
		t.Errorf("the style sheet did not apply: background %s (dark: %s), state weight %s", light, night, weight)
	}

	if want := wording.New(w.cat.Localizer("en")).Status(sh.Status, sh.Substatus); lang != "en" || strings.TrimSpace(state) != want {
		t.Errorf("state %q in %q, want %q in en", state, lang, want)
	}
	for _, want := range []string{"DEMO-LIVE", local} {
		if !strings.Contains(legs, want) {
			t.Errorf("legs %q lack %s", legs, want)
		}
	}
	if localHref != post.URL(local) {
		t.Errorf("local carrier link %q, want %q", localHref, post.URL(local))
	}
	if scrollWidth > clientWidth {
		t.Errorf("at 390 px the page scrolls sideways: scrollWidth %d > clientWidth %d", scrollWidth, clientWidth)
	}
	for name, shot := range map[string][]byte{
		"tracking-page-390.png": narrow, "tracking-page-1280.png": wide, "tracking-page-1280-dark.png": darkShot,
	} {
		if err := os.WriteFile(filepath.Join(screenshotDir, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The language switch is a plain link: no script needed.
	href := run(t, ctx, chromedp.AttributeValue(chromedp.CSS(`a[hreflang="de"]`), "href")).Value
	do(chromedp.Click(chromedp.CSS(`a[hreflang="de"]`)), chromedp.Query(chromedp.CSS(`html[lang="de"]`)))
	deState := run(t, ctx, chromedp.Text(chromedp.CSS("#state")))
	deLang := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
	sh = w.shipment("DEMO-LIVE")
	if want := wording.New(w.cat.Localizer("de")).Status(sh.Status, sh.Substatus); href != "?lang=de" || deLang != "de" || strings.TrimSpace(deState) != want {
		t.Errorf("after the switch (%s): state %q in %q, want %q in de", href, deState, deLang, want)
	}
}

// run runs one browser action that reads a value, failing the test when
// it cannot.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
