package datashare_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the import path of this repository's packages.
const module = "github.com/datashare/datashare"

// layers are the imports docs/architecture.md allows each package of the product code (test
// files aside, every build tag included): the packages of this module it may import, "internal"
// standing for every package under internal/. A package missing here fails the test until it is
// placed, here and in the document.
var layers = map[string][]string{
	"cmd/datashare":        {"api", "console", "worker", "models", "workflows/contract", "internal"},
	"console":              {"api", "internal"},
	"api":                  {"models", "workflows/contract", "internal"},
	"worker":               {"workflows", "workflows/contract", "activities", "models", "internal"},
	"workflows":            {"workflows/contract", "activities", "internal/calendar", "internal/policy"},
	"workflows/contract":   {},
	"activities":           {"internal/calendar", "internal/policy"},
	"models":               {"internal"},
	"models/modelstest":    {"models", "internal"},
	"internal/supervision": {"models", "internal"}, // the supervision board's queries
	"internal/e2e":         {"models", "workflows/contract", "internal"},
	"internal":             {"internal"}, // every other package under internal/
}

// banned are modules a package must not link whatever its layer: workflow code and its
// activities' declarations stay clear of the database and HTTP (the worker supplies the
// database behind activities' interfaces), the API and the console of the Temporal server.
var banned = map[string][]string{
	"workflows":          {"gorm.io/", "database/sql", "github.com/gin-gonic/", "net/http"},
	"workflows/contract": {"gorm.io/", "database/sql", "github.com/gin-gonic/", "go.temporal.io/sdk/workflow"},
	"activities":         {"gorm.io/", "database/sql", "github.com/gin-gonic/"},
	"models":             {"go.temporal.io/", "github.com/gin-gonic/"},
	"api":                {"go.temporal.io/server", "gorm.io/"},
	"console":            {"go.temporal.io/", "gorm.io/"},
}

// layer is the entry of layers for package dir.
func layer(dir string) (string, bool) {
	if _, ok := layers[dir]; ok {
		return dir, true
	}
	if strings.HasPrefix(dir, "internal/") {
		return "internal", true
	}
	return "", false
}

func allowed(rules []string, pkg string) bool {
	return slices.ContainsFunc(rules, func(r string) bool {
		return pkg == r || (r == "internal" && strings.HasPrefix(pkg, "internal/"))
	})
}

// productPackages parses the non-test Go files of every package of the repository, by
// directory relative to the root.
func productPackages(t *testing.T) map[string][]*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "bin", "data", "node_modules":
				return filepath.SkipDir
			}
			if path != "." && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		pkgs[dir] = append(pkgs[dir], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func importPaths(f *ast.File) []string {
	out := make([]string, 0, len(f.Imports))
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		out = append(out, p)
	}
	return out
}

// Imports go one way, as docs/architecture.md draws them: cmd → api, console, worker;
// console → api; worker → workflows → activities; api and worker → models; workflows/contract
// beneath api, worker and workflows; internal/* beneath, models and workflows/contract aside
// for the two internal packages that need them.
func TestImportsFollowTheArchitecture(t *testing.T) {
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatalf("run from the repository root: %v", err)
	}
	pkgs := productPackages(t)
	for _, dir := range slices.Sorted(maps.Keys(pkgs)) {
		name, ok := layer(dir)
		if !ok {
			t.Errorf("package %s has no place in the architecture: add it to layers and to docs/architecture.md", dir)
			continue
		}
		imports := map[string]bool{}
		for _, f := range pkgs[dir] {
			for _, p := range importPaths(f) {
				imports[p] = true
			}
		}
		for _, p := range slices.Sorted(maps.Keys(imports)) {
			if rel, ok := strings.CutPrefix(p, module+"/"); ok {
				if !allowed(layers[name], rel) {
					t.Errorf("%s imports %s: not allowed by docs/architecture.md (%s may import %v)", dir, rel, dir, layers[name])
				}
				continue
			}
			for _, b := range banned[name] {
				if p == b || strings.HasPrefix(p, b) {
					t.Errorf("%s imports %s, which it must not link", dir, p)
				}
			}
		}
	}
	for _, want := range []string{"cmd/datashare", "console", "api", "worker", "workflows", "workflows/contract", "activities", "models"} {
		if _, ok := pkgs[want]; !ok {
			t.Errorf("no package %s: the test no longer sees the layout it checks", want)
		}
	}
}

// The console is a client of the API: it imports the api package for its DTOs and names (the
// types, the request-id header), and calls no function of it — the API's handler is handed to
// it as an http.Handler.
func TestConsoleCallsNoAPIFunction(t *testing.T) {
	for _, f := range productPackages(t)["console"] {
		name := ""
		for _, is := range f.Imports {
			if p, _ := strconv.Unquote(is.Path.Value); p == module+"/api" {
				name = "api"
				if is.Name != nil {
					name = is.Name.Name
				}
			}
		}
		if name == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
					t.Errorf("console calls %s.%s: it uses the api package for its DTOs only", name, sel.Sel.Name)
				}
			}
			return true
		})
	}
}
