package main

import (
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
)

// TestDockerBuildContextLeavesSecretsOut reads .dockerignore the way the
// Docker builder does (patterns relative to the context's root, "**"
// for any directories, "!" to take a path back, the last match wins) and
// checks that secrets, databases and the repository's history stay out of
// the build context while the sources go in.
func TestDockerBuildContextLeavesSecretsOut(t *testing.T) {
	b, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, tc := range []struct {
		path     string
		excluded bool
	}{
		{".env", true},
		{".env.local", true},
		{"trackbot.db", true},
		{"trackbot.db-wal", true},
		{"data/trackbot.db", true},
		{".git", true},
		{".git/HEAD", true},
		{"trackbot", true},
		{".env.example", false},
		{"go.mod", false},
		{"go.sum", false},
		{"cmd/trackbot/main.go", false},
		{"migrations/sqlite/00001_schema.sql", false},
		{"locales/en.toml", false},
	} {
		if got := dockerIgnored(patterns, tc.path); got != tc.excluded {
			t.Errorf("%s: excluded from the build context %v, want %v", tc.path, got, tc.excluded)
		}
	}
}

// dockerIgnored reports whether .dockerignore patterns exclude p, or a
// directory p is in.
func dockerIgnored(patterns []string, p string) bool {
	ignored := false
	for _, pat := range patterns {
		keep := strings.HasPrefix(pat, "!")
		pat = strings.TrimPrefix(strings.TrimPrefix(pat, "!"), "/")
		if matchesPathOrParent(pat, p) {
			ignored = !keep
		}
	}
	return ignored
}

func matchesPathOrParent(pat, p string) bool {
	for q := p; q != "." && q != "/"; q = path.Dir(q) {
		if matchDocker(pat, q) {
			return true
		}
	}
	return false
}

// matchDocker is path.Match with a leading "**/" matching any number of
// directories, as the Docker builder reads it.
func matchDocker(pat, p string) bool {
	if rest, ok := strings.CutPrefix(pat, "**/"); ok {
		parts := strings.Split(p, "/")
		for i := range parts {
			if ok, _ := path.Match(rest, strings.Join(parts[i:], "/")); ok {
				return true
			}
		}
		return false
	}
	ok, _ := path.Match(pat, p)
	return ok
}

// TestImageAndComposeHaveAHealthCheck: the image runs trackbot healthcheck
// in exec form (the distroless base has no shell) and compose checks the
// trackbot service the same way.
func TestImageAndComposeHaveAHealthCheck(t *testing.T) {
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dockerfile), `CMD ["/usr/local/bin/trackbot", "healthcheck"]`) {
		t.Error("the Dockerfile has no HEALTHCHECK running trackbot healthcheck in exec form")
	}
	if !strings.Contains(string(dockerfile), "-X main.version=${VERSION}") {
		t.Error("the Dockerfile does not stamp the version")
	}
	compose, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, trackbotService, _ := strings.Cut(string(compose), "\n  trackbot:\n")
	if !strings.Contains(trackbotService, `test: ["CMD", "/usr/local/bin/trackbot", "healthcheck"]`) {
		t.Error("compose.yaml has no health check for the trackbot service")
	}
}

// TestEnvExampleListsEveryVariable: .env.example names every variable
// config reads, with its default where it has one (an example value
// otherwise), and sets none of them.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	example := string(b)
	for f := range reflect.TypeFor[config]().Fields() {
		name, _, _ := envVariable(f.Name)
		tag := f.Tag.Get("env")
		line := "\n# " + name + "="
		if _, def, ok := strings.Cut(tag, "default="); ok {
			line += def + "\n" // the default itself, whole
		}
		if !strings.Contains(example, line) {
			t.Errorf(".env.example lacks %q", line)
		}
	}
	for _, l := range strings.Split(example, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			t.Errorf(".env.example sets %q; every line must be a comment", l)
		}
	}
}
