package tracking

// QueuedForTest reports how many requests to the named provider wait in
// its rate limiter.
func (r *Registry) QueuedForTest(provider string) int {
	return int(r.budgets[provider].queued.Load())
}
