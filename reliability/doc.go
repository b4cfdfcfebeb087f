// Package reliability holds the process-level reliability tests: they
// build trackbot, run it as separate processes against a fake Telegram Bot
// API, kill them with SIGKILL while demo journeys unfold, and count what
// every chat heard. They are slow, so they sit behind a build tag:
//
//	go test -tags reliability -count=1 -v ./reliability/...
//
// RELIABILITY.md describes each test and its latest figures.
package reliability
