package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/trackbot/trackbot/tracking"
)

// parseInterspersed parses flags that may stand before, between or after
// the positional arguments, as in "track DEMO-LIVE --json".
func parseInterspersed(fs *flag.FlagSet, args []string, io stdio) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args, io); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func cmdDetect(ctx context.Context, args []string, io stdio) error {
	fs := newFlags("detect", "trackbot detect NUMBER... [--json]\n\nGuess the carrier of each tracking number from its format and check digit.", io)
	asJSON := fs.Bool("json", false, "print one JSON object per number")
	numbers, err := parseInterspersed(fs, args, io)
	if err != nil {
		return err
	}
	if len(numbers) == 0 {
		return usageError{error: errors.New("detect: give at least one tracking number")}
	}
	enc := json.NewEncoder(io.out)
	for _, n := range numbers {
		d := tracking.Detect(n)
		if *asJSON {
			if err := enc.Encode(d); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(io.out, describeDetection(d))
	}
	return nil
}

// describeDetection is the human-readable form of a detection.
func describeDetection(d tracking.Detection) string {
	var sb strings.Builder
	sb.WriteString(d.Number + ": ")
	switch {
	case d.Reason == tracking.ReasonChecksum:
		sb.WriteString("the check digit does not match — probably mistyped")
	case !d.Valid:
		sb.WriteString("not a tracking number (" + strings.ReplaceAll(d.Reason, "_", " ") + ")")
	case len(d.Candidates) == 0:
		sb.WriteString("no known format; an aggregator may still recognise it")
	default:
		sb.WriteString("valid")
	}
	if d.OriginCountry != "" {
		sb.WriteString(", from " + tracking.CountryName(d.OriginCountry))
	}
	for _, c := range d.Candidates {
		fmt.Fprintf(&sb, "\n  %-22s %-16s check digit %-8s confidence %.2f", tracking.CarrierName(c.Carrier), c.Format, c.Checksum, c.Confidence)
	}
	return sb.String()
}

func cmdTrack(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	fs := newFlags("track", "trackbot track NUMBER [--carrier C] [--json]\n\nLook a number up once through the configured providers and print the shipment.", io)
	asJSON := fs.Bool("json", false, "print the normalized shipment as JSON")
	carrier := fs.String("carrier", "", "carrier id, when detection guesses wrong (see trackbot detect)")
	numbers, err := parseInterspersed(fs, args, io)
	if err != nil {
		return err
	}
	if len(numbers) != 1 {
		return usageError{error: errors.New("track: give exactly one tracking number")}
	}
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return usageError{error: err}
	}
	setLogger(cfg, io, true)
	d := tracking.Detect(numbers[0])
	if !tracking.ValidNumber(d.Number) {
		return usageError{error: fmt.Errorf("track: %q is not a tracking number (%s)", numbers[0], strings.ReplaceAll(d.Reason, "_", " "))}
	}
	c := strings.ToLower(strings.TrimSpace(*carrier))
	if c != "" {
		if _, ok := tracking.LookupCarrier(c); !ok {
			return usageError{error: fmt.Errorf("track: unknown carrier %q", *carrier)}
		}
	} else if len(d.Candidates) > 0 {
		c = d.Candidates[0].Carrier
	}
	if d.Reason == tracking.ReasonChecksum {
		fmt.Fprintf(io.err, "warning: %s: the check digit does not match; the number is probably mistyped\n", d.Number)
	}
	clock := tracking.SystemClock{}
	engine := tracking.NewEngine(nil, newRegistry(cfg, clock, nil), tracking.Options{
		Clock: clock, MinInterval: cfg.PollMinInterval, DemoStep: cfg.DemoStep, Thresholds: cfg.thresholds(),
	})
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	sh, err := engine.Lookup(ctx, tracking.Query{Number: d.Number, Carrier: c})
	if errors.Is(err, tracking.ErrNumberUnknown) && sh != nil {
		// Not known yet is a state of its own: say so, and show it.
		fmt.Fprintf(io.err, "note: %v\n", describeLookupError(d.Number, err))
	} else if err != nil {
		return describeLookupError(d.Number, err)
	}
	guidance := engine.Advise(sh, "", tracking.RoleBuyer, clock.Now())
	if guidance == nil {
		guidance = []tracking.Advice{}
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*tracking.Shipment
			Guidance []tracking.Advice `json:"guidance"`
		}{sh, guidance})
	}
	fmt.Fprint(io.out, describeShipment(sh, clock.Now()))
	for _, a := range guidance {
		fmt.Fprintf(io.out, "guidance: %s (%s)\n", a.Rule, a.Level)
	}
	return nil
}

func describeLookupError(number string, err error) error {
	var rl *tracking.RateLimitError
	switch {
	case errors.Is(err, tracking.ErrNoProvider):
		return fmt.Errorf("%s: no provider is configured for this carrier; set an aggregator's API key (see README)", number)
	case errors.Is(err, tracking.ErrNumberUnknown):
		return fmt.Errorf("%s: no provider knows this number yet; new numbers often show nothing for a day or two", number)
	case errors.As(err, &rl):
		return fmt.Errorf("%s: %s asks to wait %s before the next request", number, rl.Provider, rl.RetryAfter.Round(time.Second))
	}
	return err
}

// describeShipment is the human-readable form of a shipment.
func describeShipment(sh *tracking.Shipment, now time.Time) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s): %s / %s\n", sh.Number, tracking.CarrierName(sh.Carrier), sh.Status, sh.Substatus)
	if sh.OriginCountry != "" || sh.DestinationCountry != "" {
		fmt.Fprintf(&sb, "route: %s → %s\n", orDash(sh.OriginCountry), orDash(sh.DestinationCountry))
	}
	if sh.ETA != nil {
		fmt.Fprintf(&sb, "expected: %s\n", sh.ETA.Format("2006-01-02 15:04 MST"))
	}
	for _, l := range sh.Legs {
		fmt.Fprintf(&sb, "later leg: %s (%s)\n", l.Number, l.Carrier)
	}
	for i := len(sh.Events) - 1; i >= 0; i-- {
		e := sh.Events[i]
		days := int(now.Sub(e.Time).Hours() / 24)
		fmt.Fprintf(&sb, "  %s  %-3s %s", e.Time.Format("2006-01-02 15:04"), fmt.Sprintf("%dd", days), e.Description)
		if loc := e.Location.String(); loc != "" {
			sb.WriteString(" — " + loc)
		}
		sb.WriteString("\n")
	}
	if len(sh.Events) == 0 {
		sb.WriteString("  no events yet\n")
	}
	return sb.String()
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
