// Package deploy holds what runs datashare in production: the image, a compose stack and
// Kubernetes manifests. No Docker engine or kubectl is at hand where the tests run, so this
// test checks the files statically: that they parse, name only real configuration variables,
// pin their images, probe the right endpoints, run without root, carry no secret and give the
// processes a configuration that config.Load accepts.
//
// What runs Temporal follows go.mod: image tags are compared with the pinned modules, and the
// variables given to the official images with the templates of those modules' sources. Compose
// and Kubernetes follow the production harness (`make prod-up`, prod/stack.sh, which does run
// everything): TestFollowsTheHarness compares them with what `prod/stack.sh env|cmd` prints.
//
// Every check runs on the repository's files (it must find nothing) and on copies with one
// deliberate defect each (it must find that defect), so a check that silently passes
// everything fails its own test.
package deploy

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"

	"github.com/datashare/datashare/internal/config"
)

// Files the checks read, relative to this folder.
const (
	composeFile       = "compose.yaml"
	dockerfileFile    = "Dockerfile"
	toolsDockerfile   = "Dockerfile.temporal-tools"
	dotenvFile        = ".env.example"
	gitignoreFile     = ".gitignore"
	kustomizationFile = "k8s/kustomization.yaml"
	schemaScript      = "temporal/setup-schema.sh"
	goModFile         = "../go.mod"
	dockerignoreFile  = "../.dockerignore"
)

// The modules whose official images compose and Kubernetes run; go.mod pins them (as tools).
const (
	temporalServerModule = "go.temporal.io/server"
	temporalUIModule     = "github.com/temporalio/ui-server/v2"
	serverImage          = "temporalio/server"
	uiImage              = "temporalio/ui"
	toolsImage           = "datashare-temporal-tools" // built from toolsDockerfile
)

// placeholderRE is the only form a secret value may take in a committed template.
var placeholderRE = regexp.MustCompile(`^REPLACE_ME[A-Z0-9_]*$`)

// secretKeyRE names variables whose value is a credential or embeds one.
var secretKeyRE = regexp.MustCompile(`(?i)(PASSWORD|PWD|SECRET|TOKEN|API_KEY|DSN)`)

// interpRE matches compose interpolation: ${NAME}, ${NAME:-default}, ${NAME:?message}, $NAME.
var interpRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// requiredRE is a whole value that compose refuses to leave empty.
var requiredRE = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]+\}$`)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// files maps a path relative to this folder (slash-separated) to its content.
type files map[string][]byte

func loadFiles(t *testing.T) files {
	t.Helper()
	f := files{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") ||
			strings.HasSuffix(name, ".sh") || strings.HasPrefix(name, dockerfileFile) || name == dotenvFile ||
			path == gitignoreFile) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f[filepath.ToSlash(path)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Outside this folder but read by its files: the versions, and the build context's filter.
	for _, p := range []string{goModFile, dockerignoreFile} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f[p] = b
	}
	return f
}

// dockerfiles lists the Dockerfiles of this folder (Dockerfile, Dockerfile.*).
func (f files) dockerfiles() []string {
	var paths []string
	for p := range f {
		if strings.HasPrefix(p, dockerfileFile) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

// with returns a copy in which old is replaced by new in one file; the test fails when old is
// not there, so a defect is never "injected" into text that no longer exists.
func (f files) with(t *testing.T, path, old, new string) files {
	t.Helper()
	src, ok := f[path]
	if !ok {
		t.Fatalf("no file %s", path)
	}
	if !bytes.Contains(src, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	c := make(files, len(f))
	for k, v := range f {
		c[k] = v
	}
	c[path] = bytes.Replace(src, []byte(old), []byte(new), 1)
	return c
}

func (f files) without(path string) files {
	c := make(files, len(f))
	for k, v := range f {
		if k != path {
			c[k] = v
		}
	}
	return c
}

func (f files) yamlPaths() []string {
	var paths []string
	for p := range f {
		if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

func (f files) k8sPaths() []string {
	var paths []string
	for _, p := range f.yamlPaths() {
		if strings.HasPrefix(p, "k8s/") {
			paths = append(paths, p)
		}
	}
	return paths
}

// --- generic YAML access ---

func parseYAMLDocs(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("document %d is a %T, not a mapping", len(docs)+1, v)
		}
		docs = append(docs, m)
	}
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }
func listOf(v any) []any         { l, _ := v.([]any); return l }

func strOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func get(v any, path ...string) any {
	for _, p := range path {
		v = mapOf(v)[p]
	}
	return v
}

func strList(v any) []string {
	var out []string
	for _, e := range listOf(v) {
		out = append(out, strOf(e))
	}
	return out
}

// --- compose ---

type composeFileT struct {
	doc      map[string]any
	services map[string]map[string]any
	values   []string // every string value, where compose interpolates (comments excluded)
}

func parseCompose(f files) (composeFileT, error) {
	src, ok := f[composeFile]
	if !ok {
		return composeFileT{}, errors.New(composeFile + " is missing")
	}
	docs, err := parseYAMLDocs(src)
	if err != nil {
		return composeFileT{}, fmt.Errorf("%s: %v", composeFile, err)
	}
	if len(docs) != 1 {
		return composeFileT{}, fmt.Errorf("%s: %d documents, want 1", composeFile, len(docs))
	}
	c := composeFileT{doc: docs[0], services: map[string]map[string]any{}, values: stringValues(docs[0])}
	for name, svc := range mapOf(docs[0]["services"]) {
		c.services[name] = mapOf(svc)
	}
	if len(c.services) == 0 {
		return composeFileT{}, errors.New(composeFile + ": no services")
	}
	return c, nil
}

func stringValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, stringValues(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringValues(e)...)
		}
		return out
	}
	return nil
}

// interpolations lists the variable names compose substitutes, with the operator used.
func (c composeFileT) interpolations() [][2]string { return interpolationsIn(c.values) }

func interpolationsIn(values []string) [][2]string {
	var out [][2]string
	for _, v := range values {
		for _, m := range interpRE.FindAllStringSubmatch(v, -1) {
			out = append(out, [2]string{m[1] + m[4], m[2]})
		}
	}
	return out
}

func (c composeFileT) names() []string {
	names := make([]string, 0, len(c.services))
	for n := range c.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// isDatashareService reports whether a service runs the datashare image (it is built here from
// deploy/Dockerfile).
func isDatashareService(svc map[string]any) bool {
	if b := svc["build"]; b != nil && path.Base(strOf(get(b, "dockerfile"))) == dockerfileFile {
		return true
	}
	return imageRepo(resolveDefaults(strOf(svc["image"]))) == "datashare"
}

// environment returns a service's variables; a name without value is passed through from the
// host and gets "".
func environment(svc map[string]any) map[string]string {
	env := map[string]string{}
	switch e := svc["environment"].(type) {
	case map[string]any:
		for k, v := range e {
			env[k] = strOf(v)
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(strOf(kv), "=")
			env[k] = v
		}
	}
	return env
}

// resolveDefaults replaces interpolations that carry a default by it; the others are left.
func resolveDefaults(s string) string {
	return interpRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := interpRE.FindStringSubmatch(m)
		if sub[2] == "-" || sub[2] == ":-" {
			return sub[3]
		}
		return m
	})
}

// sampleValues resolves every interpolation as compose would with the variable set to a
// harmless sample (or left to its default), for loading the configuration.
func sampleValues(s string) string {
	return interpRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := interpRE.FindStringSubmatch(m)
		if sub[2] == "-" || sub[2] == ":-" {
			return sub[3]
		}
		return "sample"
	})
}

// --- Dockerfile ---

type dockerStage struct {
	image, name, user string
}

// parseDockerfile returns the stages with their base image (global ARG defaults expanded)
// and their last USER.
func parseDockerfile(src []byte) ([]dockerStage, error) {
	text := strings.ReplaceAll(string(src), "\\\n", " ")
	args := map[string]string{}
	var stages []dockerStage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			if len(stages) == 0 && len(fields) > 1 {
				k, v, _ := strings.Cut(fields[1], "=")
				args[k] = strings.Trim(v, `"`)
			}
		case "FROM":
			var rest []string
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") {
					rest = append(rest, f)
				}
			}
			if len(rest) == 0 {
				return nil, fmt.Errorf("FROM without image: %q", line)
			}
			st := dockerStage{image: os.Expand(rest[0], func(k string) string { return args[k] })}
			if len(rest) >= 3 && strings.EqualFold(rest[1], "AS") {
				st.name = rest[2]
			}
			stages = append(stages, st)
		case "USER":
			if len(stages) == 0 {
				return nil, errors.New("USER before FROM")
			}
			if len(fields) > 1 {
				stages[len(stages)-1].user = fields[1]
			}
		}
	}
	if len(stages) == 0 {
		return nil, errors.New("no FROM")
	}
	return stages, nil
}

// --- Kubernetes ---

type k8sObject struct {
	file string
	obj  map[string]any
}

func (o k8sObject) kind() string { return strOf(o.obj["kind"]) }
func (o k8sObject) name() string { return strOf(get(o.obj, "metadata", "name")) }
func (o k8sObject) String() string {
	return fmt.Sprintf("%s %s/%s", o.file, o.kind(), o.name())
}

func parseK8s(f files) ([]k8sObject, []string) {
	var objs []k8sObject
	var problems []string
	for _, p := range f.k8sPaths() {
		docs, err := parseYAMLDocs(f[p])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		for _, d := range docs {
			objs = append(objs, k8sObject{file: p, obj: d})
		}
	}
	return objs, problems
}

// podSpec returns the pod template's spec of a workload.
func podSpec(o k8sObject) map[string]any {
	switch o.kind() {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		return mapOf(get(o.obj, "spec", "template", "spec"))
	case "CronJob":
		return mapOf(get(o.obj, "spec", "jobTemplate", "spec", "template", "spec"))
	case "Pod":
		return mapOf(o.obj["spec"])
	}
	return nil
}

func containers(spec map[string]any) []map[string]any {
	var out []map[string]any
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range listOf(spec[key]) {
			out = append(out, mapOf(c))
		}
	}
	return out
}

// isDatashareImage reports whether a container runs the datashare image (the name the
// kustomization rewrites, or the rewritten one).
func isDatashareImage(image string) bool {
	repo := imageRepo(image)
	return repo == "datashare" || strings.HasSuffix(repo, "/datashare")
}

// imageRepo strips tag and digest.
func imageRepo(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// --- what go.mod pins, and what the third-party images read ---

var (
	goDirectiveRE = regexp.MustCompile(`(?m)^go ([0-9][^\s]*)\s*$`)
	requireRE     = regexp.MustCompile(`(?m)^\s*(?:require\s+)?([a-z0-9.\-]+(?:/[A-Za-z0-9.\-_~]+)+)\s+(v[^\s]+)`)
	// templateEnvRE is how both configuration templates read a variable: (env "NAME").
	templateEnvRE = regexp.MustCompile(`env "([A-Z][A-Z0-9_]*)"`)
	// loaderEnvRE: the variables the server's command line reads besides its template.
	loaderEnvRE = regexp.MustCompile(`EnvKey[A-Za-z]*\s*=\s*"([A-Z][A-Z0-9_]*)"`)
	scriptEnvRE = regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)`)
)

// goMod returns the go directive and the version of every module go.mod requires.
func goMod(f files) (string, map[string]string, error) {
	src, ok := f[goModFile]
	if !ok {
		return "", nil, errors.New(goModFile + " is missing")
	}
	m := goDirectiveRE.FindSubmatch(src)
	if m == nil {
		return "", nil, errors.New(goModFile + ": no go directive")
	}
	mods := map[string]string{}
	for _, r := range requireRE.FindAllSubmatch(src, -1) {
		mods[string(r[1])] = string(r[2])
	}
	return string(m[1]), mods, nil
}

var moduleSources = struct {
	sync.Mutex
	files map[string][]byte
}{files: map[string][]byte{}}

// moduleFile reads a file of a module at the version go.mod pins, from the module cache (the
// embedded build links both modules, so they are there wherever the tests compile).
func moduleFile(module, name string) ([]byte, error) {
	moduleSources.Lock()
	defer moduleSources.Unlock()
	key := module + "/" + name
	if b, ok := moduleSources.files[key]; ok {
		return b, nil
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = ".."
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return nil, fmt.Errorf("%s is not in the module cache (go mod download %s): %v", module, module, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	moduleSources.files[key] = b
	return b, nil
}

// imageReaders returns, for each third-party image repository compose or Kubernetes runs with
// variables of its own, every variable name it reads: the official images render their
// configuration from these templates of the modules go.mod pins; the tools image runs
// setup-schema.sh.
func imageReaders(f files) (map[string]map[string]bool, []string) {
	readers := map[string]map[string]bool{}
	var problems []string
	collect := func(repo string, re *regexp.Regexp, src []byte) {
		if readers[repo] == nil {
			readers[repo] = map[string]bool{}
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			readers[repo][string(m[1])] = true
		}
	}
	for _, s := range []struct {
		repo, module, file string
		re                 *regexp.Regexp
	}{
		{serverImage, temporalServerModule, "common/config/config_template_embedded.yaml", templateEnvRE},
		{serverImage, temporalServerModule, "common/config/loader.go", loaderEnvRE},
		{uiImage, temporalUIModule, "config/docker.yaml", templateEnvRE},
	} {
		src, err := moduleFile(s.module, s.file)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		collect(s.repo, s.re, src)
	}
	if src, ok := f[schemaScript]; ok {
		collect(toolsImage, scriptEnvRE, src)
	} else {
		problems = append(problems, schemaScript+" is missing")
	}
	return readers, problems
}

// --- the checks ---

// checkYAML: every YAML file parses (duplicate keys included) and holds a document.
func checkYAML(f files) []string {
	var problems []string
	for _, required := range []string{composeFile, kustomizationFile} {
		if _, ok := f[required]; !ok {
			problems = append(problems, required+" is missing")
		}
	}
	for _, p := range f.yamlPaths() {
		docs, err := parseYAMLDocs(f[p])
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", p, err))
		case len(docs) == 0:
			problems = append(problems, p+": no YAML document")
		}
	}
	return problems
}

type envUse struct {
	where, name string
	// images are the repositories of the containers that get the variable (none: datashare's
	// own settings); for an interpolated name, those of the services that substitute it.
	images []string
	// interpolated: a name compose substitutes from deploy/.env, not one a process reads.
	interpolated bool
}

// checkEnvNames: every variable given to a third-party image is one that image reads at the
// version go.mod pins (the Temporal server's embedded configuration template, the UI server's
// config/docker.yaml, setup-schema.sh for the tools image); every other DATASHARE_* and
// TEMPORAL_* name given to a process, interpolated by compose or listed in .env.example is a
// variable of config.Vars().
func checkEnvNames(f files) []string {
	known := map[string]bool{}
	for _, v := range config.Vars() {
		known[v.Env] = true
	}
	readers, problems := imageReaders(f)
	var uses []envUse

	c, err := parseCompose(f)
	interpolatedBy := map[string][]string{}
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			svc := c.services[name]
			repo := imageRepo(resolveDefaults(strOf(svc["image"])))
			for k := range environment(svc) {
				uses = append(uses, envUse{where: "compose service " + name, name: k, images: []string{repo}})
			}
			for _, in := range interpolationsIn(stringValues(svc)) {
				uses = append(uses, envUse{where: "compose service " + name + " interpolation", name: in[0], images: []string{repo}, interpolated: true})
				interpolatedBy[in[0]] = append(interpolatedBy[in[0]], repo)
			}
		}
		for k, v := range c.doc {
			if k != "services" {
				for _, in := range interpolationsIn(stringValues(v)) {
					uses = append(uses, envUse{where: "compose " + k + " interpolation", name: in[0], interpolated: true})
				}
			}
		}
	}
	dotenv, err := parseDotEnv(f)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for k := range dotenv {
		uses = append(uses, envUse{where: dotenvFile, name: k, images: interpolatedBy[k], interpolated: true})
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	consumers := k8sConsumers(objs)
	for _, o := range objs {
		switch o.kind() {
		case "ConfigMap":
			for k := range mapOf(o.obj["data"]) {
				uses = append(uses, envUse{where: o.String(), name: k, images: consumers["ConfigMap/"+o.name()]})
			}
		case "Secret":
			for _, field := range []string{"data", "stringData"} {
				for k := range mapOf(o.obj[field]) {
					uses = append(uses, envUse{where: o.String(), name: k, images: consumers["Secret/"+o.name()]})
				}
			}
		}
		for _, ctr := range containers(podSpec(o)) {
			for _, e := range listOf(ctr["env"]) {
				uses = append(uses, envUse{where: o.String(), name: strOf(get(e, "name")), images: []string{imageRepo(strOf(ctr["image"]))}})
			}
		}
	}

	notConfig := func(u envUse) string {
		return fmt.Sprintf("%s: %s is not a datashare configuration variable (see `datashare config`)", u.where, u.name)
	}
	for _, u := range uses {
		prefixed := strings.HasPrefix(u.name, "DATASHARE_") || strings.HasPrefix(u.name, "TEMPORAL_")
		if u.interpolated {
			if prefixed && !known[u.name] && !slices.ContainsFunc(u.images, func(img string) bool { return readers[img][u.name] }) {
				problems = append(problems, notConfig(u))
			}
			continue
		}
		images := u.images
		if len(images) == 0 {
			images = []string{""}
		}
		for _, img := range images {
			if r, ok := readers[img]; ok {
				if !r[u.name] {
					problems = append(problems, fmt.Sprintf("%s: %s is not read by %s (at the version go.mod pins)", u.where, u.name, img))
				}
			} else if prefixed && !known[u.name] {
				problems = append(problems, notConfig(u))
			}
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// k8sConsumers maps "ConfigMap/NAME" and "Secret/NAME" to the image repositories of the
// containers that read them (envFrom or valueFrom).
func k8sConsumers(objs []k8sObject) map[string][]string {
	out := map[string][]string{}
	add := func(key, repo string) {
		if !slices.Contains(out[key], repo) {
			out[key] = append(out[key], repo)
		}
	}
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			repo := imageRepo(strOf(ctr["image"]))
			for _, ref := range listOf(ctr["envFrom"]) {
				if r := get(ref, "configMapRef"); r != nil {
					add("ConfigMap/"+strOf(get(r, "name")), repo)
				}
				if r := get(ref, "secretRef"); r != nil {
					add("Secret/"+strOf(get(r, "name")), repo)
				}
			}
			for _, e := range listOf(ctr["env"]) {
				if r := get(e, "valueFrom", "configMapKeyRef"); r != nil {
					add("ConfigMap/"+strOf(get(r, "name")), repo)
				}
				if r := get(e, "valueFrom", "secretKeyRef"); r != nil {
					add("Secret/"+strOf(get(r, "name")), repo)
				}
			}
		}
	}
	return out
}

func parseDotEnv(f files) (map[string]string, error) {
	src, ok := f[dotenvFile]
	if !ok {
		return nil, errors.New(dotenvFile + " is missing")
	}
	env := map[string]string{}
	for i, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: not NAME=value", dotenvFile, i+1)
		}
		env[k] = v
	}
	return env, nil
}

// imageProblem says what is wrong with an image reference, or "".
func imageProblem(ref string) string {
	resolved := resolveDefaults(ref)
	switch {
	case resolved == "":
		return "no image"
	case strings.Contains(resolved, "$"):
		return fmt.Sprintf("image %q comes from a variable without a default", ref)
	}
	name, digest, hasDigest := strings.Cut(resolved, "@")
	if hasDigest && !digestRE.MatchString(digest) {
		return fmt.Sprintf("image %q has a malformed digest", ref)
	}
	last := name[strings.LastIndex(name, "/")+1:]
	_, tag, hasTag := strings.Cut(last, ":")
	switch {
	case hasTag && (tag == "" || strings.EqualFold(tag, "latest")):
		return fmt.Sprintf("image %q is not pinned (tag %q)", ref, tag)
	case !hasTag && !hasDigest:
		return fmt.Sprintf("image %q is not pinned (no tag)", ref)
	}
	return ""
}

// checkImages: every image of the compose file, the Dockerfile, the manifests and the
// kustomization's rewrite has a tag other than latest, or a digest.
func checkImages(f files) []string {
	var problems []string
	add := func(where, p string) {
		if p != "" {
			problems = append(problems, where+": "+p)
		}
	}
	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			add("compose service "+name, imageProblem(strOf(c.services[name]["image"])))
		}
	}

	if _, ok := f[dockerfileFile]; !ok {
		problems = append(problems, dockerfileFile+" is missing")
	}
	for _, df := range f.dockerfiles() {
		stages, err := parseDockerfile(f[df])
		if err != nil {
			problems = append(problems, df+": "+err.Error())
			continue
		}
		var names []string
		for _, st := range stages {
			if st.image != "scratch" && !slices.Contains(names, st.image) {
				add(df+" FROM", imageProblem(st.image))
			}
			names = append(names, st.name)
		}
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			add(o.String(), imageProblem(strOf(ctr["image"])))
		}
		if o.kind() == "Kustomization" {
			for _, img := range listOf(o.obj["images"]) {
				tag, digest := strOf(get(img, "newTag")), strOf(get(img, "digest"))
				switch {
				case digest != "" && !digestRE.MatchString(digest):
					add(o.String(), fmt.Sprintf("images %s: malformed digest %q", strOf(get(img, "name")), digest))
				case digest == "" && (tag == "" || strings.EqualFold(tag, "latest")):
					add(o.String(), fmt.Sprintf("images %s: not pinned (newTag %q)", strOf(get(img, "name")), tag))
				}
			}
		}
	}
	return problems
}

// portMatches reports whether a probe or Service port (name or number) names a port of
// the containers.
func portMatches(port any, ctrs []map[string]any) bool {
	want := strOf(port)
	if want == "" {
		return false
	}
	for _, ctr := range ctrs {
		for _, p := range listOf(ctr["ports"]) {
			if strOf(get(p, "name")) == want || strOf(get(p, "containerPort")) == want {
				return true
			}
		}
	}
	return false
}

func labelsMatch(selector, labels map[string]any) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if strOf(labels[k]) != strOf(v) {
			return false
		}
	}
	return true
}

// checkWorkloads: the Deployments run at least two replicas with readiness on /readyz (the
// Temporal UI: /healthz, all it has) and liveness on /healthz at a declared port; a PodDisruptionBudget covers each; Services and
// autoscalers point at something that exists.
func checkWorkloads(f files) []string {
	objs, problems := parseK8s(f)
	var deployments, pdbs, services, hpas []k8sObject
	for _, o := range objs {
		switch o.kind() {
		case "Deployment":
			deployments = append(deployments, o)
		case "PodDisruptionBudget":
			pdbs = append(pdbs, o)
		case "Service":
			services = append(services, o)
		case "HorizontalPodAutoscaler":
			hpas = append(hpas, o)
		}
	}
	if len(deployments) == 0 {
		problems = append(problems, "no Deployment")
	}
	if len(hpas) == 0 {
		problems = append(problems, "no HorizontalPodAutoscaler")
	}
	for _, d := range deployments {
		if r, ok := get(d.obj, "spec", "replicas").(int); !ok || r < 2 {
			problems = append(problems, fmt.Sprintf("%s: replicas %v, want at least 2", d, get(d.obj, "spec", "replicas")))
		}
		ctrs := listOf(podSpec(d)["containers"])
		if len(ctrs) == 0 {
			problems = append(problems, d.String()+": no containers")
		}
		all := containers(podSpec(d))
		for _, c := range ctrs {
			ctr := mapOf(c)
			// datashare's readiness follows its database and Temporal; the Temporal UI server
			// serves /healthz only.
			readiness := "/readyz"
			if !isDatashareImage(strOf(ctr["image"])) {
				readiness = "/healthz"
			}
			for probe, path := range map[string]string{"readinessProbe": readiness, "livenessProbe": "/healthz"} {
				hg := get(ctr, probe, "httpGet")
				switch {
				case hg == nil:
					problems = append(problems, fmt.Sprintf("%s container %s: no %s.httpGet", d, strOf(ctr["name"]), probe))
				case strOf(get(hg, "path")) != path:
					problems = append(problems, fmt.Sprintf("%s container %s: %s on %q, want %s", d, strOf(ctr["name"]), probe, strOf(get(hg, "path")), path))
				case !portMatches(get(hg, "port"), all):
					problems = append(problems, fmt.Sprintf("%s container %s: %s port %q is not a container port", d, strOf(ctr["name"]), probe, strOf(get(hg, "port"))))
				}
			}
		}
		labels := mapOf(get(d.obj, "spec", "template", "metadata", "labels"))
		if !slices.ContainsFunc(pdbs, func(p k8sObject) bool {
			return labelsMatch(mapOf(get(p.obj, "spec", "selector", "matchLabels")), labels)
		}) {
			problems = append(problems, d.String()+": no PodDisruptionBudget selects its pods")
		}
	}
	for _, s := range services {
		sel := mapOf(get(s.obj, "spec", "selector"))
		i := slices.IndexFunc(deployments, func(d k8sObject) bool {
			return labelsMatch(sel, mapOf(get(d.obj, "spec", "template", "metadata", "labels")))
		})
		if i < 0 {
			problems = append(problems, s.String()+": selector matches no Deployment")
			continue
		}
		for _, p := range listOf(get(s.obj, "spec", "ports")) {
			if !portMatches(get(p, "targetPort"), containers(podSpec(deployments[i]))) {
				problems = append(problems, fmt.Sprintf("%s: targetPort %q is not a port of %s", s, strOf(get(p, "targetPort")), deployments[i].name()))
			}
		}
	}
	for _, h := range hpas {
		target := strOf(get(h.obj, "spec", "scaleTargetRef", "name"))
		if !slices.ContainsFunc(deployments, func(d k8sObject) bool { return d.name() == target }) {
			problems = append(problems, fmt.Sprintf("%s: scales %q, which is no Deployment here", h, target))
		}
	}
	return problems
}

func isRootUser(user string) bool {
	u, _, _ := strings.Cut(user, ":")
	return u == "" || u == "0" || u == "root"
}

// checkNonRoot: the final stage of every image built here and every pod run as a non-root
// user; every Kubernetes container and every compose service built here has a read-only root
// filesystem, no privilege escalation and no capabilities. Third-party compose services run as
// their images require (the database images' entrypoints start as root to own their volumes).
func checkNonRoot(f files) []string {
	var problems []string
	if _, ok := f[dockerfileFile]; !ok {
		problems = append(problems, dockerfileFile+" is missing")
	}
	for _, df := range f.dockerfiles() {
		if stages, err := parseDockerfile(f[df]); err != nil {
			problems = append(problems, df+": "+err.Error())
		} else if final := stages[len(stages)-1]; isRootUser(final.user) {
			problems = append(problems, fmt.Sprintf("%s: final stage runs as %q, want a non-root numeric USER", df, final.user))
		}
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	for _, o := range objs {
		spec := podSpec(o)
		if spec == nil {
			continue
		}
		podSC := mapOf(spec["securityContext"])
		for _, ctr := range containers(spec) {
			sc := mapOf(ctr["securityContext"])
			where := fmt.Sprintf("%s container %s", o, strOf(ctr["name"]))
			nonRoot, ok := sc["runAsNonRoot"].(bool)
			if !ok {
				nonRoot, _ = podSC["runAsNonRoot"].(bool)
			}
			if !nonRoot {
				problems = append(problems, where+": runAsNonRoot is not true")
			}
			uid, ok := sc["runAsUser"]
			if !ok {
				uid, ok = podSC["runAsUser"]
			}
			if ok && strOf(uid) == "0" {
				problems = append(problems, where+": runAsUser 0")
			}
			if v, _ := sc["allowPrivilegeEscalation"].(bool); v || sc["allowPrivilegeEscalation"] == nil {
				problems = append(problems, where+": allowPrivilegeEscalation is not false")
			}
			if v, _ := sc["readOnlyRootFilesystem"].(bool); !v {
				problems = append(problems, where+": readOnlyRootFilesystem is not true")
			}
			if v, _ := sc["privileged"].(bool); v {
				problems = append(problems, where+": privileged")
			}
			if !slices.Contains(strList(get(sc, "capabilities", "drop")), "ALL") {
				problems = append(problems, where+": capabilities do not drop ALL")
			}
			if len(listOf(get(sc, "capabilities", "add"))) > 0 {
				problems = append(problems, where+": adds capabilities")
			}
		}
	}

	c, err := parseCompose(f)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, name := range c.names() {
		svc := c.services[name]
		if !isDatashareService(svc) && svc["build"] == nil {
			continue
		}
		if u, ok := svc["user"]; ok && isRootUser(strOf(u)) {
			problems = append(problems, fmt.Sprintf("compose service %s: user %q", name, strOf(u)))
		}
		if v, _ := svc["read_only"].(bool); !v {
			problems = append(problems, "compose service "+name+": read_only is not true")
		}
		if !slices.Contains(strList(svc["cap_drop"]), "ALL") {
			problems = append(problems, "compose service "+name+": cap_drop does not include ALL")
		}
		if v, _ := svc["privileged"].(bool); v {
			problems = append(problems, "compose service "+name+": privileged")
		}
	}
	return problems
}

// checkSecrets: Secret manifests hold placeholders only and are never applied by the
// kustomization; no ConfigMap holds a credential; compose takes every credential from a required variable; .env.example
// leaves every credential empty.
func checkSecrets(f files) []string {
	var problems []string
	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	applied := map[string]bool{}
	for _, o := range objs {
		if o.kind() == "Kustomization" {
			for _, r := range strList(o.obj["resources"]) {
				applied["k8s/"+r] = true
			}
		}
	}
	for _, o := range objs {
		if o.kind() == "ConfigMap" {
			for k := range mapOf(o.obj["data"]) {
				if secretKeyRE.MatchString(k) {
					problems = append(problems, fmt.Sprintf("%s: %s is a credential; it belongs in a Secret", o, k))
				}
			}
		}
		if o.kind() != "Secret" {
			continue
		}
		if applied[o.file] {
			problems = append(problems, o.String()+": a Secret template is listed in the kustomization; applying it would overwrite the real Secret")
		}
		values := map[string]string{}
		for k, v := range mapOf(o.obj["stringData"]) {
			values[k] = strOf(v)
		}
		for k, v := range mapOf(o.obj["data"]) {
			b, err := base64.StdEncoding.DecodeString(strOf(v))
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: data.%s is not base64", o, k))
				continue
			}
			values[k] = string(b)
		}
		for k, v := range values {
			if p := secretValueProblem(k, v, placeholderRE.MatchString); p != "" {
				problems = append(problems, fmt.Sprintf("%s: %s %s (use REPLACE_ME)", o, k, p))
			}
		}
	}

	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			for k, v := range environment(c.services[name]) {
				if !secretKeyRE.MatchString(k) {
					continue
				}
				if p := secretValueProblem(k, v, requiredRE.MatchString); p != "" {
					problems = append(problems, fmt.Sprintf("compose service %s: %s %s (use ${NAME:?message})", name, k, p))
				}
			}
		}
	}

	dotenv, err := parseDotEnv(f)
	if err != nil {
		return append(problems, err.Error())
	}
	for k, v := range dotenv {
		if secretKeyRE.MatchString(k) && v != "" {
			problems = append(problems, fmt.Sprintf("%s: %s has a value; leave credentials empty", dotenvFile, k))
		}
	}
	sort.Strings(problems)
	return problems
}

// secretValueProblem checks one credential-bearing value: a DSN must parse and have an
// allowed password; anything else must be allowed as a whole.
func secretValueProblem(key, value string, allowed func(string) bool) string {
	if !strings.Contains(strings.ToUpper(key), "DSN") {
		if !allowed(value) {
			return "holds a literal value"
		}
		return ""
	}
	// Interpolations may contain '/' and '@' in their message; stand in for them before the
	// DSN is parsed, then map the password back.
	var subs []string
	masked := interpRE.ReplaceAllStringFunc(value, func(m string) string {
		subs = append(subs, m)
		return fmt.Sprintf("INTERPOLATION%dX", len(subs)-1)
	})
	cfg, err := mysql.ParseDSN(masked)
	if err != nil {
		return fmt.Sprintf("is not a DSN: %v", err)
	}
	pass := cfg.Passwd
	if i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(pass, "INTERPOLATION"), "X")); err == nil && strings.HasPrefix(pass, "INTERPOLATION") && i < len(subs) {
		pass = subs[i]
	}
	if !allowed(pass) {
		return "embeds a literal password"
	}
	return ""
}

// processEnv is the environment one datashare process gets.
type processEnv struct {
	where string
	env   map[string]string
	ports []string // container ports that reach DATASHARE_HTTP_ADDR
}

// checkConfig: the configuration every datashare process gets is accepted by config.Load
// and is a production one: MySQL, OIDC, JSON logs, and an HTTP address that the pod or
// container network can reach on the port the probes and Service use. In Kubernetes every
// envFrom reference must exist.
func checkConfig(f files) []string {
	var problems []string
	var procs []processEnv

	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			svc := c.services[name]
			if !isDatashareService(svc) {
				continue
			}
			env := map[string]string{}
			for k, v := range environment(svc) {
				env[k] = sampleValues(v)
			}
			var ports []string
			for _, p := range append(strList(svc["ports"]), strList(svc["expose"])...) {
				ports = append(ports, p[strings.LastIndex(p, ":")+1:])
			}
			procs = append(procs, processEnv{where: "compose service " + name, env: env, ports: ports})
		}
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	configMaps, secrets := map[string]map[string]string{}, map[string]map[string]string{}
	for _, o := range objs {
		switch o.kind() {
		case "ConfigMap":
			configMaps[o.name()] = map[string]string{}
			for k, v := range mapOf(o.obj["data"]) {
				configMaps[o.name()][k] = strOf(v)
			}
		case "Secret":
			secrets[o.name()] = map[string]string{}
			for k, v := range mapOf(o.obj["stringData"]) {
				secrets[o.name()][k] = strOf(v)
			}
		}
	}
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			if !isDatashareImage(strOf(ctr["image"])) {
				continue
			}
			where := fmt.Sprintf("%s container %s", o, strOf(ctr["name"]))
			env := map[string]string{}
			for _, ref := range listOf(ctr["envFrom"]) {
				for kind, source := range map[string]map[string]map[string]string{"configMapRef": configMaps, "secretRef": secrets} {
					if r := get(ref, kind); r != nil {
						data, ok := source[strOf(get(r, "name"))]
						if !ok {
							problems = append(problems, fmt.Sprintf("%s: envFrom %s %q is not defined here", where, kind, strOf(get(r, "name"))))
						}
						for k, v := range data {
							env[k] = v
						}
					}
				}
			}
			for _, e := range listOf(ctr["env"]) {
				if v, ok := mapOf(e)["value"]; ok {
					env[strOf(get(e, "name"))] = strOf(v)
				}
			}
			var ports []string
			for _, p := range listOf(ctr["ports"]) {
				ports = append(ports, strOf(get(p, "containerPort")))
			}
			procs = append(procs, processEnv{where: where, env: env, ports: ports})
		}
	}
	if len(procs) == 0 {
		problems = append(problems, "no datashare process found")
	}

	for _, p := range procs {
		environ := make([]string, 0, len(p.env))
		for k, v := range p.env {
			environ = append(environ, k+"="+v)
		}
		cfg, err := config.Load(nil, environ, nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.where, err))
			continue
		}
		if cfg.DBDialect != config.DialectMySQL {
			problems = append(problems, fmt.Sprintf("%s: DATASHARE_DB_DIALECT is %q, want mysql", p.where, cfg.DBDialect))
		}
		if cfg.AuthMode != config.AuthOIDC {
			problems = append(problems, fmt.Sprintf("%s: DATASHARE_AUTH_MODE is %q, want oidc", p.where, cfg.AuthMode))
		}
		if cfg.LogFormat != "json" {
			problems = append(problems, fmt.Sprintf("%s: DATASHARE_LOG_FORMAT is %q, want json", p.where, cfg.LogFormat))
		}
		if cfg.DemoData {
			problems = append(problems, p.where+": DATASHARE_DEMO_DATA is on")
		}
		host, port, _ := net.SplitHostPort(cfg.HTTPAddr)
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			problems = append(problems, fmt.Sprintf("%s: DATASHARE_HTTP_ADDR %s is loopback; probes and peers cannot reach it", p.where, cfg.HTTPAddr))
		}
		for _, cp := range p.ports {
			if cp != port {
				problems = append(problems, fmt.Sprintf("%s: container port %s is not the DATASHARE_HTTP_ADDR port %s", p.where, cp, port))
			}
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// datashareCommands is the command of each datashare process (the image's entrypoint is the
// binary); compose services and Kubernetes workloads are named after them.
var datashareCommands = map[string][]string{
	"temporal-setup": {"temporal-setup"},
	"migrate":        {"migrate", "up"},
	"api":            {"api"},
	"worker":         {"worker"},
}

// checkCompose: the start order holds (Temporal's schemas after a healthy PostgreSQL, the server
// after the schemas, temporal-setup after a healthy server; migrate after a healthy MariaDB;
// api and worker after both one-shots succeeded), the services the order waits on have
// healthchecks, the one-shots are not restarted, each datashare process gets its command, the
// files mounted from this folder exist, and .env.example names every variable compose requires.
func checkCompose(f files) []string {
	c, err := parseCompose(f)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	want := map[string]map[string]string{
		"temporal-schema": {"postgresql": "service_healthy"},
		"temporal":        {"temporal-schema": "service_completed_successfully"},
		"temporal-setup":  {"temporal": "service_healthy"},
		"temporal-ui":     {"temporal": "service_healthy"},
		"migrate":         {"mariadb": "service_healthy"},
		"api":             {"migrate": "service_completed_successfully", "temporal-setup": "service_completed_successfully", "temporal": "service_healthy"},
		"worker":          {"migrate": "service_completed_successfully", "temporal-setup": "service_completed_successfully", "temporal": "service_healthy"},
	}
	for _, name := range []string{"postgresql", "temporal-schema", "temporal", "temporal-setup", "temporal-ui", "mariadb", "migrate", "api", "worker"} {
		if c.services[name] == nil {
			problems = append(problems, "compose: no service "+name)
		}
	}
	for svc, deps := range want {
		s := c.services[svc]
		if s == nil {
			continue
		}
		for dep, cond := range deps {
			if got := strOf(get(s, "depends_on", dep, "condition")); got != cond {
				problems = append(problems, fmt.Sprintf("compose service %s: depends on %s with condition %q, want %s", svc, dep, got, cond))
			}
			if hc := c.services[dep]["healthcheck"]; cond == "service_healthy" && (hc == nil || len(listOf(get(hc, "test"))) == 0 || get(hc, "disable") == true) {
				problems = append(problems, fmt.Sprintf("compose service %s: no healthcheck, but %s waits for it to be healthy", dep, svc))
			}
		}
	}
	for svc, cmd := range datashareCommands {
		if s := c.services[svc]; s != nil {
			if !isDatashareService(s) {
				problems = append(problems, fmt.Sprintf("compose service %s: does not run the datashare image", svc))
			}
			if got := strList(s["command"]); !slices.Equal(got, cmd) {
				problems = append(problems, fmt.Sprintf("compose service %s: command %q, want %q", svc, got, cmd))
			}
		}
	}
	for _, svc := range []string{"temporal-schema", "temporal-setup", "migrate"} {
		if m := c.services[svc]; m != nil {
			if r := strOf(m["restart"]); r != "" && r != "no" && r != "on-failure" {
				problems = append(problems, fmt.Sprintf("compose service %s: restart %q would run the one-shot again after it succeeded", svc, r))
			}
		}
	}
	for _, name := range c.names() {
		for _, v := range strList(c.services[name]["volumes"]) {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
				continue // a named volume
			}
			p := path.Clean(src)
			if _, ok := f[p]; !ok && !slices.ContainsFunc(f.yamlPaths(), func(q string) bool { return strings.HasPrefix(q, p+"/") }) {
				problems = append(problems, fmt.Sprintf("compose service %s: mounts %s, which does not exist in deploy/", name, src))
			}
		}
	}
	dotenv, err := parseDotEnv(f)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, in := range c.interpolations() {
		if strings.HasSuffix(in[1], "?") {
			if _, ok := dotenv[in[0]]; !ok {
				problems = append(problems, fmt.Sprintf("compose requires %s, which %s does not list", in[0], dotenvFile))
			}
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// checkKustomization: every resource it lists exists, every manifest is either listed or an
// example/template, its image rewrite names the image the manifests use, and each datashare
// workload runs its command.
func checkKustomization(f files) []string {
	objs, problems := parseK8s(f)
	var kust *k8sObject
	for i := range objs {
		if objs[i].kind() == "Kustomization" {
			kust = &objs[i]
		}
	}
	if kust == nil {
		return append(problems, kustomizationFile+": no Kustomization")
	}
	listed := map[string]bool{}
	for _, r := range strList(kust.obj["resources"]) {
		listed["k8s/"+r] = true
		if _, ok := f["k8s/"+r]; !ok {
			problems = append(problems, fmt.Sprintf("%s: resource %s does not exist", kustomizationFile, r))
		}
	}
	for _, p := range f.k8sPaths() {
		if p != kustomizationFile && !listed[p] && !strings.Contains(filepath.Base(p), ".example.") {
			problems = append(problems, fmt.Sprintf("%s is neither in %s nor named *.example.yaml", p, kustomizationFile))
		}
	}

	rewritten := map[string]bool{}
	for _, img := range listOf(kust.obj["images"]) {
		rewritten[strOf(get(img, "name"))] = true
	}
	seen := map[string]bool{}
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			image := strOf(ctr["image"])
			if !isDatashareImage(image) {
				continue
			}
			if !rewritten[imageRepo(image)] {
				problems = append(problems, fmt.Sprintf("%s: image %s is not rewritten by the kustomization's images", o, image))
			}
			// Each workload is labelled with the process it runs.
			component := strOf(get(o.obj, "metadata", "labels", "app.kubernetes.io/component"))
			args := strList(ctr["args"])
			want, ok := datashareCommands[component]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: component %q is no datashare process", o, component))
			} else if !slices.Equal(args, want) {
				problems = append(problems, fmt.Sprintf("%s: args %q, want %q", o, args, want))
			} else {
				seen[component] = true
			}
		}
	}
	for _, component := range slices.Sorted(maps.Keys(datashareCommands)) {
		if !seen[component] {
			problems = append(problems, fmt.Sprintf("no Kubernetes workload runs `datashare %s`", strings.Join(datashareCommands[component], " ")))
		}
	}
	return problems
}

// --- the web console's session key ---

// consoleKeyVar names the file `datashare api` reads the web console's session key from
// (console.LoadOrCreateKey). The key is generated there when the file is missing, which fails
// on a read-only root filesystem and would give every replica a key of its own.
const consoleKeyVar = "DATASHARE_CONSOLE_KEY_FILE"

// composeSecretPath is where compose mounts a service's secret: /run/secrets/TARGET, or TARGET
// itself when it is absolute.
func composeSecretPath(target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)
	}
	return "/run/secrets/" + target
}

// gitignored reports whether a path relative to this folder matches a line of .gitignore
// (plain names and globs, anchored or not; no negation).
func gitignored(f files, p string) bool {
	for _, line := range strings.Split(string(f[gitignoreFile]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		pattern, anchored := strings.CutPrefix(line, "/")
		if ok, _ := path.Match(pattern, p); ok {
			return true
		}
		if ok, _ := path.Match(pattern, path.Base(p)); ok && !anchored && !strings.Contains(pattern, "/") {
			return true
		}
	}
	return false
}

// checkConsoleKey: every datashare container that runs `api` reads the console's session key
// from a file of a secret mounted read-only, the same for every replica. In compose:
// DATASHARE_CONSOLE_KEY_FILE is the path of a secret given to the service, declared under the
// top-level secrets, and a secret read from a file of this folder is git-ignored. In Kubernetes:
// it lies under a readOnly volumeMount of a Secret volume of the pod, and names a key of that
// Secret's template here (through the volume's items, if it lists any).
func checkConsoleKey(f files) []string {
	var problems []string
	apiCmd := datashareCommands["api"]

	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		declared := mapOf(c.doc["secrets"])
		found := false
		for _, name := range c.names() {
			svc := c.services[name]
			if !isDatashareService(svc) || !slices.Equal(strList(svc["command"]), apiCmd) {
				continue
			}
			found = true
			where := "compose service " + name
			given := map[string]string{} // mount path -> secret
			for _, s := range listOf(svc["secrets"]) {
				source, target := strOf(s), strOf(s)
				if m := mapOf(s); m != nil {
					source, target = strOf(m["source"]), strOf(m["target"])
					if target == "" {
						target = source
					}
				}
				given[composeSecretPath(target)] = source
			}
			p, ok := environment(svc)[consoleKeyVar]
			switch secret, mounted := given[path.Clean(p)]; {
			case !ok || p == "":
				problems = append(problems, fmt.Sprintf("%s: %s is not set; the API would generate a key in its data folder, which the read-only root filesystem refuses, and each container would have its own", where, consoleKeyVar))
			case !mounted:
				problems = append(problems, fmt.Sprintf("%s: %s=%s is not the file of a secret given to the service (%v)", where, consoleKeyVar, p, slices.Sorted(maps.Keys(given))))
			case declared[secret] == nil:
				problems = append(problems, fmt.Sprintf("%s: secret %q is not declared under the top-level secrets", where, secret))
			default:
				if src := strOf(get(declared[secret], "file")); src != "" {
					if rel := path.Clean(src); !strings.HasPrefix(rel, "../") && !gitignored(f, rel) {
						problems = append(problems, fmt.Sprintf("compose secret %s: its file %s is not ignored by deploy/%s; a real key would be committed", secret, src, gitignoreFile))
					}
				}
			}
		}
		if !found {
			problems = append(problems, "compose: no service runs `datashare api`")
		}
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	configMaps, secretKeys := map[string]map[string]any{}, map[string]map[string]bool{}
	for _, o := range objs {
		switch o.kind() {
		case "ConfigMap":
			configMaps[o.name()] = mapOf(o.obj["data"])
		case "Secret":
			keys := map[string]bool{}
			for _, field := range []string{"data", "stringData"} {
				for k := range mapOf(o.obj[field]) {
					keys[k] = true
				}
			}
			secretKeys[o.name()] = keys
		}
	}
	found := false
	for _, o := range objs {
		spec := podSpec(o)
		volumes := map[string]map[string]any{}
		for _, v := range listOf(spec["volumes"]) {
			volumes[strOf(get(v, "name"))] = mapOf(v)
		}
		for _, ctr := range containers(spec) {
			if !isDatashareImage(strOf(ctr["image"])) || !slices.Equal(strList(ctr["args"]), apiCmd) {
				continue
			}
			found = true
			where := fmt.Sprintf("%s container %s", o, strOf(ctr["name"]))
			env := map[string]string{}
			for _, ref := range listOf(ctr["envFrom"]) {
				for k, v := range configMaps[strOf(get(ref, "configMapRef", "name"))] {
					env[k] = strOf(v)
				}
			}
			for _, e := range listOf(ctr["env"]) {
				if v, ok := mapOf(e)["value"]; ok {
					env[strOf(get(e, "name"))] = strOf(v)
				}
			}
			p := env[consoleKeyVar]
			if p == "" {
				problems = append(problems, fmt.Sprintf("%s: %s is not set; the API would generate a key in its data folder, which the read-only root filesystem refuses, and each replica would have its own", where, consoleKeyVar))
				continue
			}
			p = path.Clean(p)
			var mount map[string]any
			var file string // the file's name inside the volume
			for _, m := range listOf(ctr["volumeMounts"]) {
				mp, sub := path.Clean(strOf(get(m, "mountPath"))), strOf(get(m, "subPath"))
				if rel, ok := strings.CutPrefix(p, mp+"/"); ok && sub == "" {
					mount, file = mapOf(m), rel
				} else if p == mp && sub != "" {
					mount, file = mapOf(m), sub
				}
			}
			if mount == nil {
				problems = append(problems, fmt.Sprintf("%s: %s=%s lies in no volumeMount; the key must come from a mounted Secret", where, consoleKeyVar, p))
				continue
			}
			vname := strOf(mount["name"])
			if ro, _ := mount["readOnly"].(bool); !ro {
				problems = append(problems, fmt.Sprintf("%s: volumeMount %s of %s is not readOnly", where, vname, consoleKeyVar))
			}
			vol, ok := volumes[vname]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: volumeMount %s of %s has no volume in the pod", where, vname, consoleKeyVar))
				continue
			}
			secret := mapOf(vol["secret"])
			if secret == nil {
				problems = append(problems, fmt.Sprintf("%s: volume %s of %s is not a Secret volume", where, vname, consoleKeyVar))
				continue
			}
			name := strOf(secret["secretName"])
			key := file
			if items := listOf(secret["items"]); len(items) > 0 {
				i := slices.IndexFunc(items, func(it any) bool { return path.Clean(strOf(get(it, "path"))) == file })
				if i < 0 {
					problems = append(problems, fmt.Sprintf("%s: %s=%s is not among the items of the Secret volume %s", where, consoleKeyVar, p, vname))
					continue
				}
				key = strOf(get(items[i], "key"))
			}
			keys, ok := secretKeys[name]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: Secret %q of %s has no template in deploy/k8s (*.example.yaml)", where, name, consoleKeyVar))
			case !keys[key]:
				problems = append(problems, fmt.Sprintf("%s: %s=%s reads key %q, which the Secret %s does not have (%v)", where, consoleKeyVar, p, key, name, slices.Sorted(maps.Keys(keys))))
			}
		}
	}
	if !found {
		problems = append(problems, "no Kubernetes workload runs `datashare api`")
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// --- Temporal: versions, sign-in, and the production harness ---

// imageTag returns the tag of an image reference ("" without one).
func imageTag(ref string) string {
	name, _, _ := strings.Cut(resolveDefaults(ref), "@")
	last := name[strings.LastIndex(name, "/")+1:]
	_, tag, _ := strings.Cut(last, ":")
	return tag
}

var (
	fromGolangRE = regexp.MustCompile(`(?m)^FROM\s+(?:--\S+\s+)*golang:(\S+)`)
	copyRE       = regexp.MustCompile(`(?m)^COPY\s+(.*)$`)
	envPathRE    = regexp.MustCompile(`\b(TEMPORAL_SQL_TOOL|SCHEMA_DIR)=(\S+)`)
)

// checkVersions: what runs Temporal follows go.mod by construction or by a checked tag. The
// compose server is temporalio/server at the go.temporal.io/server version and runs
// `temporal-server start`; every temporalio/ui image is at the ui-server version; the tools
// image builds temporal-sql-tool and copies the schemas from the pinned module (no @version of
// its own) and compose gives the script the paths the image has; every Go builder is the go
// directive's version; files the builds copy from deploy/ get past .dockerignore.
func checkVersions(f files) []string {
	goVersion, mods, err := goMod(f)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	wantTag := map[string]string{}
	for repo, module := range map[string]string{serverImage: temporalServerModule, uiImage: temporalUIModule} {
		v, ok := mods[module]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s does not require %s", goModFile, module))
			continue
		}
		wantTag[repo] = strings.TrimPrefix(v, "v")
	}
	checkImage := func(where, ref string) {
		repo := imageRepo(resolveDefaults(ref))
		if want, ok := wantTag[repo]; ok && imageTag(ref) != want {
			problems = append(problems, fmt.Sprintf("%s: image %s, want tag %s (the version of go.mod)", where, ref, want))
		}
	}

	c, err := parseCompose(f)
	if err != nil {
		return append(problems, err.Error())
	}
	for _, name := range c.names() {
		checkImage("compose service "+name, strOf(c.services[name]["image"]))
	}
	if t := c.services["temporal"]; t == nil {
		problems = append(problems, "compose: no service temporal")
	} else {
		if repo := imageRepo(resolveDefaults(strOf(t["image"]))); repo != serverImage {
			problems = append(problems, fmt.Sprintf("compose service temporal: image %s, want %s", strOf(t["image"]), serverImage))
		}
		if got := strList(t["command"]); !slices.Equal(got, []string{"temporal-server", "start"}) || t["entrypoint"] != nil {
			problems = append(problems, fmt.Sprintf("compose service temporal: command %q (entrypoint %v), want [\"temporal-server\" \"start\"] and the image's entrypoint", got, t["entrypoint"]))
		}
	}
	if u := c.services["temporal-ui"]; u == nil || imageRepo(resolveDefaults(strOf(u["image"]))) != uiImage {
		problems = append(problems, "compose: no service temporal-ui on "+uiImage)
	}
	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	uiInK8s := false
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			checkImage(o.String(), strOf(ctr["image"]))
			uiInK8s = uiInK8s || imageRepo(strOf(ctr["image"])) == uiImage
		}
	}
	if !uiInK8s {
		problems = append(problems, "no Kubernetes workload runs "+uiImage)
	}

	for _, df := range f.dockerfiles() {
		for _, m := range fromGolangRE.FindAllSubmatch(f[df], -1) {
			if v, _, _ := strings.Cut(string(m[1]), "-"); v != goVersion {
				problems = append(problems, fmt.Sprintf("%s: builder golang:%s, want golang:%s (the go directive of go.mod)", df, m[1], goVersion))
			}
		}
	}
	tools, ok := f[toolsDockerfile]
	if !ok {
		return append(problems, toolsDockerfile+" is missing")
	}
	text := strings.ReplaceAll(string(tools), "\\\n", " ")
	switch {
	case !regexp.MustCompile(`go build [^\n]*\sgo\.temporal\.io/server/cmd/tools/sql(\s|;|$)`).MatchString(text):
		problems = append(problems, toolsDockerfile+": does not `go build` go.temporal.io/server/cmd/tools/sql from the module go.mod pins")
	case strings.Contains(text, "go.temporal.io/server/cmd/tools/sql@") || strings.Contains(text, "go.temporal.io/server@"):
		problems = append(problems, toolsDockerfile+": names a version of go.temporal.io/server of its own; go.mod decides it")
	}
	if !regexp.MustCompile(`(?m)^COPY go\.mod go\.sum `).MatchString(text) {
		problems = append(problems, toolsDockerfile+": does not copy go.mod and go.sum")
	}
	if !strings.Contains(text, "schema/postgresql/v12") {
		problems = append(problems, toolsDockerfile+": does not copy the module's schema/postgresql/v12")
	}
	imagePaths := map[string]string{}
	for _, m := range envPathRE.FindAllStringSubmatch(text, -1) {
		imagePaths[m[1]] = m[2]
	}
	if s := c.services["temporal-schema"]; s == nil {
		problems = append(problems, "compose: no service temporal-schema")
	} else {
		if df := strOf(get(s, "build", "dockerfile")); df != "deploy/"+toolsDockerfile || imageRepo(resolveDefaults(strOf(s["image"]))) != toolsImage {
			problems = append(problems, fmt.Sprintf("compose service temporal-schema: image %s built from %q, want %s from deploy/%s", strOf(s["image"]), df, toolsImage, toolsDockerfile))
		}
		env := environment(s)
		for _, k := range []string{"TEMPORAL_SQL_TOOL", "SCHEMA_DIR"} {
			if env[k] != imagePaths[k] {
				problems = append(problems, fmt.Sprintf("compose service temporal-schema: %s=%s, but the image has it at %q (%s)", k, env[k], imagePaths[k], toolsDockerfile))
			}
		}
	}

	// COPY sources from the build context that lie in deploy/, which .dockerignore excludes.
	ignore := strings.Split(string(f[dockerignoreFile]), "\n")
	for _, df := range f.dockerfiles() {
		for _, m := range copyRE.FindAllStringSubmatch(strings.ReplaceAll(string(f[df]), "\\\n", " "), -1) {
			fields := strings.Fields(m[1])
			if slices.ContainsFunc(fields, func(s string) bool { return strings.HasPrefix(s, "--from") }) {
				continue
			}
			var srcs []string
			for _, s := range fields[:max(len(fields)-1, 0)] {
				if !strings.HasPrefix(s, "--") {
					srcs = append(srcs, s)
				}
			}
			for _, src := range srcs {
				rel, inDeploy := strings.CutPrefix(src, "deploy/")
				if !inDeploy {
					continue
				}
				if _, ok := f[rel]; !ok {
					problems = append(problems, fmt.Sprintf("%s: copies %s, which does not exist", df, src))
				}
				if slices.Contains(ignore, "deploy/") && !slices.Contains(ignore, "!"+src) {
					problems = append(problems, fmt.Sprintf("%s: copies %s, which %s keeps out of the build context (add !%s)", df, src, dockerignoreFile, src))
				}
			}
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// uiEnv is the environment of one Temporal UI server: its values, and the names whose value
// comes from a Secret.
type uiEnv struct {
	where   string
	env     map[string]string
	secrets map[string]bool
}

// checkUISignIn: every Temporal UI (compose and Kubernetes) requires OIDC sign-in (provider,
// client id, callback URL; the client secret from a required variable or a Secret), is
// read-only, and points at the Temporal frontend and namespace datashare uses.
func checkUISignIn(f files) []string {
	var problems []string
	var uis []uiEnv
	var dsAddress, dsNamespace []string // where datashare reaches Temporal, per platform

	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			svc := c.services[name]
			if imageRepo(resolveDefaults(strOf(svc["image"]))) == uiImage {
				u := uiEnv{where: "compose service " + name, env: environment(svc), secrets: map[string]bool{}}
				if requiredRE.MatchString(u.env["TEMPORAL_AUTH_CLIENT_SECRET"]) {
					u.secrets["TEMPORAL_AUTH_CLIENT_SECRET"] = true
				}
				for _, k := range []string{"TEMPORAL_AUTH_PROVIDER_URL", "TEMPORAL_AUTH_CLIENT_ID"} {
					if !requiredRE.MatchString(u.env[k]) {
						problems = append(problems, fmt.Sprintf("%s: %s is %q, want ${%s:?message} from deploy/.env", u.where, k, u.env[k], k))
					}
				}
				uis = append(uis, u)
			}
		}
		if api := c.services["api"]; api != nil {
			env := environment(api)
			dsAddress, dsNamespace = append(dsAddress, env["TEMPORAL_ADDRESS"]), append(dsNamespace, env["TEMPORAL_NAMESPACE"])
		}
	}
	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	configMaps := map[string]map[string]any{}
	for _, o := range objs {
		if o.kind() == "ConfigMap" {
			configMaps[o.name()] = mapOf(o.obj["data"])
		}
	}
	if dc := configMaps["datashare-config"]; dc != nil {
		dsAddress, dsNamespace = append(dsAddress, strOf(dc["TEMPORAL_ADDRESS"])), append(dsNamespace, strOf(dc["TEMPORAL_NAMESPACE"]))
	}
	for _, o := range objs {
		for _, ctr := range containers(podSpec(o)) {
			if imageRepo(strOf(ctr["image"])) != uiImage {
				continue
			}
			u := uiEnv{where: fmt.Sprintf("%s container %s", o, strOf(ctr["name"])), env: map[string]string{}, secrets: map[string]bool{}}
			for _, ref := range listOf(ctr["envFrom"]) {
				if r := get(ref, "configMapRef"); r != nil {
					for k, v := range configMaps[strOf(get(r, "name"))] {
						u.env[k] = strOf(v)
					}
				}
				if get(ref, "secretRef") != nil {
					problems = append(problems, u.where+": takes a whole Secret (envFrom); name the one key it needs")
				}
			}
			for _, e := range listOf(ctr["env"]) {
				name := strOf(get(e, "name"))
				if v, ok := mapOf(e)["value"]; ok {
					u.env[name] = strOf(v)
				}
				if get(e, "valueFrom", "secretKeyRef") != nil {
					u.env[name], u.secrets[name] = "(secret)", true
				}
			}
			for _, k := range []string{"TEMPORAL_AUTH_PROVIDER_URL", "TEMPORAL_AUTH_CLIENT_ID", "TEMPORAL_AUTH_SCOPES"} {
				if u.env[k] == "" {
					problems = append(problems, fmt.Sprintf("%s: %s is not set", u.where, k))
				}
			}
			if cb := u.env["TEMPORAL_AUTH_CALLBACK_URL"]; !strings.HasPrefix(cb, "https://") {
				problems = append(problems, fmt.Sprintf("%s: TEMPORAL_AUTH_CALLBACK_URL %q is not https (the session cookies would not be Secure)", u.where, cb))
			}
			if u.env["TEMPORAL_CSRF_COOKIE_INSECURE"] == "true" {
				problems = append(problems, u.where+": TEMPORAL_CSRF_COOKIE_INSECURE is true behind TLS")
			}
			uis = append(uis, u)
		}
	}
	if len(uis) == 0 {
		problems = append(problems, "no Temporal UI found")
	}
	for _, u := range uis {
		if u.env["TEMPORAL_AUTH_ENABLED"] != "true" {
			problems = append(problems, fmt.Sprintf("%s: TEMPORAL_AUTH_ENABLED is %q, want true (sign-in required)", u.where, u.env["TEMPORAL_AUTH_ENABLED"]))
		}
		if !u.secrets["TEMPORAL_AUTH_CLIENT_SECRET"] {
			problems = append(problems, u.where+": TEMPORAL_AUTH_CLIENT_SECRET does not come from a Secret or a required variable")
		}
		if !strings.HasSuffix(resolveDefaults(u.env["TEMPORAL_AUTH_CALLBACK_URL"]), "/auth/sso/callback") {
			problems = append(problems, fmt.Sprintf("%s: TEMPORAL_AUTH_CALLBACK_URL %q is not the UI server's /auth/sso/callback", u.where, u.env["TEMPORAL_AUTH_CALLBACK_URL"]))
		}
		// Only TEMPORAL_DISABLE_WRITE_ACTIONS is enforced by the UI server; starting a workflow by
		// hand must stay hidden even when it is turned off to allow terminate.
		for _, k := range []string{"TEMPORAL_DISABLE_WRITE_ACTIONS", "TEMPORAL_START_WORKFLOW_DISABLED"} {
			if u.env[k] != "true" {
				problems = append(problems, fmt.Sprintf("%s: %s is %q, want true", u.where, k, u.env[k]))
			}
		}
		if !slices.Contains(dsAddress, u.env["TEMPORAL_ADDRESS"]) {
			problems = append(problems, fmt.Sprintf("%s: TEMPORAL_ADDRESS %q is not the frontend datashare uses (%q)", u.where, u.env["TEMPORAL_ADDRESS"], dsAddress))
		}
		if !slices.Contains(dsNamespace, u.env["TEMPORAL_DEFAULT_NAMESPACE"]) {
			problems = append(problems, fmt.Sprintf("%s: TEMPORAL_DEFAULT_NAMESPACE %q is not datashare's namespace (%q)", u.where, u.env["TEMPORAL_DEFAULT_NAMESPACE"], dsNamespace))
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// The production harness (`make prod-up`) runs each component from source on one machine;
// `prod/stack.sh env|cmd COMPONENT` prints its environment (NAME=VALUE lines) and its argv
// (one per line). loadHarness adds that output to the files under these names, so that the
// checks can compare and defects can alter it.
const harnessScript = "prod/stack.sh"

var harnessComponents = []string{"temporal-schema", "temporal-server", "temporal-setup", "temporal-ui", "migrate", "api", "worker"}

func harnessKey(what, component string) string { return "stack.sh " + what + " " + component }

func loadHarness(t *testing.T, f files) files {
	t.Helper()
	if _, err := os.Stat(harnessScript); err != nil {
		t.Fatalf("%s: %v (the production harness, which compose and Kubernetes follow)", harnessScript, err)
	}
	for _, c := range harnessComponents {
		for _, what := range []string{"env", "cmd"} {
			cmd := exec.Command("bash", harnessScript, what, c)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash %s %s %s: %v\n%s", harnessScript, what, c, err, stderr.String())
			}
			f[harnessKey(what, c)] = out
		}
	}
	return f
}

func harnessEnv(f files, component string) (map[string]string, error) {
	src, ok := f[harnessKey("env", component)]
	if !ok {
		return nil, fmt.Errorf("no output of `%s env %s`", harnessScript, component)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("`%s env %s`: %q is not NAME=VALUE", harnessScript, component, line)
		}
		env[k] = v
	}
	return env, nil
}

func harnessCmd(f files, component string) ([]string, error) {
	src, ok := f[harnessKey("cmd", component)]
	if !ok || len(bytes.TrimSpace(src)) == 0 {
		return nil, fmt.Errorf("no output of `%s cmd %s`", harnessScript, component)
	}
	return strings.Split(strings.TrimSpace(string(src)), "\n"), nil
}

// harnessPeer names, for each compose service that runs a Temporal component, the harness's
// component; the exceptions are names one side may set that the other does not, with why.
var harnessPeers = []struct {
	service, component string
	// composeOnly: names compose (and Kubernetes) may set that the harness does not.
	composeOnly func(string) bool
	// sameValue: names whose value must be the same on both sides.
	sameValue []string
}{
	{
		service: "temporal", component: "temporal-server",
		// In a container every service binds all addresses and announces loopback to the
		// others; the harness binds loopback itself.
		composeOnly: func(n string) bool { return n == "TEMPORAL_BROADCAST_ADDRESS" },
		// A cluster's shard count is fixed when it is created.
		sameValue: []string{"DB", "NUM_HISTORY_SHARDS"},
	},
	{
		service: "temporal-schema", component: "temporal-schema",
		composeOnly: func(string) bool { return false },
		sameValue:   []string{"SQL_PLUGIN"},
	},
	{
		service: "temporal-ui", component: "temporal-ui",
		// The harness serves the UI on loopback without sign-in; production requires it and
		// makes the UI read-only (see checkUISignIn).
		composeOnly: isUIPolicyName,
	},
}

var uiPolicyRE = regexp.MustCompile(`^TEMPORAL_(AUTH_[A-Z_]+|MAX_SESSION_DURATION|DISABLE_WRITE_ACTIONS|[A-Z_]+_DISABLED)$`)

func isUIPolicyName(n string) bool { return uiPolicyRE.MatchString(n) }

// isPortName: the harness gives every listener a loopback port of its own; compose and
// Kubernetes may keep the defaults.
func isPortName(n string) bool { return strings.HasSuffix(n, "_PORT") }

// checkHarness: compose and Kubernetes run what `make prod-up` runs. For the Temporal server,
// the schema job and the UI, the names compose sets are names the harness sets (exceptions
// above) and cover every name the harness sets but its ports (and, for the UI, sign-in); the
// Kubernetes UI sets no name the harness does not know either. The server's command is the
// harness's; every datashare process, in compose and in Kubernetes, runs the harness's command
// (program name aside).
func checkHarness(f files) []string {
	var problems []string
	c, err := parseCompose(f)
	if err != nil {
		return []string{err.Error()}
	}
	objs, perr := parseK8s(f)
	problems = append(problems, perr...)

	for _, p := range harnessPeers {
		henv, err := harnessEnv(f, p.component)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		svc := c.services[p.service]
		if svc == nil {
			problems = append(problems, "compose: no service "+p.service)
			continue
		}
		cenv := environment(svc)
		for _, k := range slices.Sorted(maps.Keys(cenv)) {
			if _, ok := henv[k]; !ok && !p.composeOnly(k) {
				problems = append(problems, fmt.Sprintf("compose service %s: sets %s, which `make prod-up` does not set for %s", p.service, k, p.component))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(henv)) {
			if _, ok := cenv[k]; !ok && !isPortName(k) && !p.composeOnly(k) {
				problems = append(problems, fmt.Sprintf("compose service %s: does not set %s, which `make prod-up` sets for %s (%s=%s)", p.service, k, p.component, k, henv[k]))
			}
		}
		for _, k := range p.sameValue {
			if cenv[k] != henv[k] {
				problems = append(problems, fmt.Sprintf("compose service %s: %s=%s, but `make prod-up` runs %s with %s=%s", p.service, k, cenv[k], p.component, k, henv[k]))
			}
		}
		if p.component == "temporal-ui" {
			// The Kubernetes UI: its ConfigMaps and env against the harness's names.
			consumers := k8sConsumers(objs)
			for _, o := range objs {
				var names []string
				switch o.kind() {
				case "ConfigMap":
					if slices.Contains(consumers["ConfigMap/"+o.name()], uiImage) {
						names = slices.Collect(maps.Keys(mapOf(o.obj["data"])))
					}
				default:
					for _, ctr := range containers(podSpec(o)) {
						if imageRepo(strOf(ctr["image"])) == uiImage {
							for _, e := range listOf(ctr["env"]) {
								names = append(names, strOf(get(e, "name")))
							}
						}
					}
				}
				for _, k := range names {
					if _, ok := henv[k]; !ok && !p.composeOnly(k) {
						problems = append(problems, fmt.Sprintf("%s: sets %s, which `make prod-up` does not set for temporal-ui", o, k))
					}
				}
			}
		}
	}

	// Commands. The server's: `temporal-server start`, as the harness runs it.
	if argv, err := harnessCmd(f, "temporal-server"); err != nil {
		problems = append(problems, err.Error())
	} else if t := c.services["temporal"]; t != nil {
		want := append([]string{"temporal-server"}, argv[1:]...)
		if path.Base(argv[0]) != "temporal-server" || !slices.Equal(strList(t["command"]), want) {
			problems = append(problems, fmt.Sprintf("compose service temporal: command %q, but `make prod-up` runs %q", strList(t["command"]), argv))
		}
	}
	// The schema job: the same program and script (their folders differ).
	if argv, err := harnessCmd(f, "temporal-schema"); err != nil {
		problems = append(problems, err.Error())
	} else if s := c.services["temporal-schema"]; s != nil {
		base := func(l []string) []string {
			out := make([]string, len(l))
			for i, a := range l {
				out[i] = path.Base(a)
			}
			return out
		}
		if got := strList(s["command"]); !slices.Equal(base(got), base(argv)) {
			problems = append(problems, fmt.Sprintf("compose service temporal-schema: command %q, but `make prod-up` runs %q", got, argv))
		}
	}
	// datashare: compose services and Kubernetes workloads are named after the component.
	for _, component := range slices.Sorted(maps.Keys(datashareCommands)) {
		argv, err := harnessCmd(f, component)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if path.Base(argv[0]) != "datashare" {
			problems = append(problems, fmt.Sprintf("`make prod-up` runs %s as %q, not datashare", component, argv))
			continue
		}
		want := argv[1:]
		if s := c.services[component]; s == nil {
			problems = append(problems, "compose: no service "+component)
		} else if got := strList(s["command"]); !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("compose service %s: command %q, but `make prod-up` runs datashare %q", component, got, want))
		}
		found := false
		for _, o := range objs {
			if strOf(get(o.obj, "metadata", "labels", "app.kubernetes.io/component")) != component {
				continue
			}
			for _, ctr := range containers(podSpec(o)) {
				if !isDatashareImage(strOf(ctr["image"])) {
					continue
				}
				found = true
				if got := strList(ctr["args"]); !slices.Equal(got, want) {
					problems = append(problems, fmt.Sprintf("%s: args %q, but `make prod-up` runs datashare %q", o, got, want))
				}
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("no Kubernetes workload labelled %s runs datashare", component))
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// --- the tests ---

// defect is one deliberate break of a file and a substring of the problem it must cause.
type defect struct {
	name     string
	file     string
	old, new string
	want     string
	drop     bool // remove the file instead of editing it
	create   bool // add the file with content new
}

func runCheck(t *testing.T, check func(files) []string, defects []defect) {
	t.Helper()
	runCheckOn(t, loadFiles(t), check, defects)
}

func runCheckOn(t *testing.T, real files, check func(files) []string, defects []defect) {
	t.Helper()
	t.Run("repository", func(t *testing.T) {
		for _, p := range check(real) {
			t.Error(p)
		}
	})
	for _, d := range defects {
		t.Run("detects/"+d.name, func(t *testing.T) {
			var f files
			switch {
			case d.drop:
				f = real.without(d.file)
			case d.create:
				f = real.without(d.file)
				f[d.file] = []byte(d.new)
			default:
				f = real.with(t, d.file, d.old, d.new)
			}
			problems := check(f)
			for _, p := range problems {
				if strings.Contains(p, d.want) {
					return
				}
			}
			t.Errorf("defect not reported; want a problem containing %q, got %q", d.want, problems)
		})
	}
}

func TestYAMLParses(t *testing.T) {
	runCheck(t, checkYAML, []defect{
		{name: "unclosed flow sequence", file: composeFile, old: `cap_drop: [ALL]`, new: `cap_drop: [ALL`, want: composeFile},
		{name: "duplicate key", file: "k8s/api-service.yaml", old: "  type: ClusterIP\n", new: "  type: ClusterIP\n  type: NodePort\n", want: "already defined"},
		{name: "bad indentation", file: "k8s/pdb.yaml", old: "  minAvailable: 1\n", new: "   minAvailable: 1\n", want: "k8s/pdb.yaml"},
		{name: "tab indentation", file: "k8s/api-hpa.yaml", old: "  minReplicas: 2", new: "\tminReplicas: 2", want: "k8s/api-hpa.yaml"},
		{name: "comment-only file", file: "k8s/networkpolicy.yaml", create: true, new: "# kind: NetworkPolicy\n", want: "k8s/networkpolicy.yaml: no YAML document"},
		{name: "missing kustomization", file: kustomizationFile, drop: true, want: "kustomization.yaml is missing"},
	})
}

func TestEnvNamesAreConfigVariables(t *testing.T) {
	runCheck(t, checkEnvNames, []defect{
		{name: "misspelt in compose", file: composeFile, old: "  TEMPORAL_NAMESPACE: datashare\n", new: "  TEMPORAL_NAMESPCE: datashare\n", want: "TEMPORAL_NAMESPCE"},
		{name: "misspelt interpolation", file: composeFile, old: "${DATASHARE_PROFILE:-ningxia}", new: "${DATASHARE_PROFLE:-ningxia}", want: "DATASHARE_PROFLE"},
		{name: "UI variable on a datashare service", file: composeFile, old: "  TEMPORAL_NAMESPACE: datashare\n", new: "  TEMPORAL_NAMESPACE: datashare\n  TEMPORAL_DEFAULT_NAMESPACE: datashare\n", want: "compose service api: TEMPORAL_DEFAULT_NAMESPACE"},
		{name: "datashare variable on the UI", file: composeFile, old: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n", new: "      TEMPORAL_NAMESPACE: datashare\n", want: "compose service temporal-ui: TEMPORAL_NAMESPACE is not read by temporalio/ui"},
		{name: "server variable on the UI", file: composeFile, old: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n", new: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n      TEMPORAL_BROADCAST_ADDRESS: 127.0.0.1\n", want: "compose service temporal-ui: TEMPORAL_BROADCAST_ADDRESS is not read by temporalio/ui"},
		{name: "postgres image's name for the server's password", file: composeFile, old: "      POSTGRES_PWD: ${POSTGRES_PASSWORD", new: "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD", want: "compose service temporal: POSTGRES_PASSWORD is not read by temporalio/server"},
		{name: "server variable misspelt", file: composeFile, old: "      NUM_HISTORY_SHARDS: ", new: "      NUM_HISTORY_SHARD: ", want: "NUM_HISTORY_SHARD is not read by temporalio/server"},
		{name: "variable the schema script does not read", file: composeFile, old: "      SQL_PASSWORD: ${POSTGRES_PASSWORD", new: "      SQL_PWD: ${POSTGRES_PASSWORD", want: "compose service temporal-schema: SQL_PWD is not read by datashare-temporal-tools"},
		{name: "UI sign-in variable misspelt in compose", file: composeFile, old: "      TEMPORAL_AUTH_CLIENT_ID: ${", new: "      TEMPORAL_AUTH_CLIENTID: ${", want: "TEMPORAL_AUTH_CLIENTID is not read by temporalio/ui"},
		{name: "UI sign-in variable misspelt in its ConfigMap", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_AUTH_SCOPES:", new: "  TEMPORAL_AUTH_SCOPE:", want: "ConfigMap/temporal-ui-config: TEMPORAL_AUTH_SCOPE is not read by temporalio/ui"},
		{name: "UI variable in datashare's ConfigMap", file: "k8s/configmap.yaml", old: "  TEMPORAL_NAMESPACE: datashare\n", new: "  TEMPORAL_NAMESPACE: datashare\n  TEMPORAL_AUTH_ENABLED: \"true\"\n", want: "ConfigMap/datashare-config: TEMPORAL_AUTH_ENABLED is not a datashare configuration variable"},
		{name: "unknown interpolation in .env.example", file: dotenvFile, old: "TEMPORAL_AUTH_CLIENT_ID=\n", new: "TEMPORAL_AUTH_CLIENT_ID=\nTEMPORAL_AUTH_CLIENT=\n", want: ".env.example: TEMPORAL_AUTH_CLIENT is not"},
		{name: "misspelt in ConfigMap", file: "k8s/configmap.yaml", old: "  DATASHARE_HTTP_ADDR:", new: "  DATASHARE_HTTP_ADRESS:", want: "DATASHARE_HTTP_ADRESS"},
		{name: "misspelt in Secret", file: "k8s/secret.example.yaml", old: "  DATASHARE_DB_DSN:", new: "  DATASHARE_DATABASE_DSN:", want: "DATASHARE_DATABASE_DSN"},
		{name: "unknown in container env", file: "k8s/worker-deployment.yaml", old: "            - name: GOMEMLIMIT\n", new: "            - name: DATASHARE_WORKERS\n              value: \"4\"\n            - name: GOMEMLIMIT\n", want: "DATASHARE_WORKERS"},
		{name: "unknown in .env.example", file: dotenvFile, old: "DATASHARE_OIDC_AUDIENCE=", new: "DATASHARE_OIDC_CLIENT=", want: "DATASHARE_OIDC_CLIENT"},
	})
}

func TestImagesArePinned(t *testing.T) {
	runCheck(t, checkImages, []defect{
		{name: "latest in compose", file: composeFile, old: "image: temporalio/ui:2.55.0", new: "image: temporalio/ui:latest", want: "temporalio/ui:latest"},
		{name: "untagged in compose", file: composeFile, old: "image: mariadb:10.11.19", new: "image: mariadb", want: `"mariadb" is not pinned`},
		{name: "latest PostgreSQL", file: composeFile, old: "image: postgres:15.20", new: "image: postgres:latest", want: "postgres:latest"},
		{name: "untagged tools base", file: toolsDockerfile, old: "FROM alpine:3.24.1", new: "FROM alpine", want: "Dockerfile.temporal-tools FROM"},
		{name: "untagged UI in Kubernetes", file: "k8s/temporal-ui-deployment.yaml", old: "image: temporalio/ui:2.55.0", new: "image: temporalio/ui", want: "Deployment/temporal-ui"},
		{name: "tag only from a variable", file: composeFile, old: "image: datashare:${IMAGE_TAG:-dev}", new: "image: datashare:${IMAGE_TAG}", want: "without a default"},
		{name: "default resolving to latest", file: composeFile, old: "image: datashare:${IMAGE_TAG:-dev}", new: "image: datashare:${IMAGE_TAG:-latest}", want: "not pinned"},
		{name: "untagged builder", file: dockerfileFile, old: "golang:1.26.8 AS build", new: "golang AS build", want: "Dockerfile FROM"},
		{name: "latest runtime", file: dockerfileFile, old: "static-debian12:nonroot", new: "static-debian12:latest", want: "Dockerfile FROM"},
		{name: "untagged in a Deployment", file: "k8s/api-deployment.yaml", old: "image: datashare:0.1.0", new: "image: datashare", want: "Deployment/datashare-api"},
		{name: "registry port is no tag", file: "k8s/migrate-job.yaml", old: "image: datashare:0.1.0", new: "image: registry.local:5000/datashare", want: "Job/datashare-migrate"},
		{name: "short digest", file: "k8s/worker-deployment.yaml", old: "image: datashare:0.1.0", new: "image: datashare@sha256:abc", want: "malformed digest"},
		{name: "kustomization rewrite to latest", file: kustomizationFile, old: `newTag: "0.1.0"`, new: `newTag: latest`, want: "images datashare"},
	})
}

func TestWorkloadsProbesAndAvailability(t *testing.T) {
	runCheck(t, checkWorkloads, []defect{
		{name: "readiness on /healthz", file: "k8s/api-deployment.yaml", old: "              path: /readyz", new: "              path: /healthz", want: "readinessProbe on \"/healthz\""},
		{name: "liveness missing", file: "k8s/worker-deployment.yaml", old: "          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n", new: "          livenessProbe:\n            tcpSocket:\n              port: http\n", want: "no livenessProbe.httpGet"},
		{name: "probe on an undeclared port", file: "k8s/worker-deployment.yaml", old: "          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http", new: "          readinessProbe:\n            httpGet:\n              path: /readyz\n              port: metrics", want: "port \"metrics\" is not a container port"},
		{name: "single replica", file: "k8s/worker-deployment.yaml", old: "  replicas: 2", new: "  replicas: 1", want: "replicas 1"},
		{name: "PDB selects nothing", file: "k8s/pdb.yaml", old: "      app.kubernetes.io/component: worker", new: "      app.kubernetes.io/component: workers", want: "datashare-worker: no PodDisruptionBudget"},
		{name: "Service targets an unknown port", file: "k8s/api-service.yaml", old: "targetPort: http", new: "targetPort: web", want: "targetPort \"web\""},
		{name: "UI readiness on a path it does not serve", file: "k8s/temporal-ui-deployment.yaml", old: "          readinessProbe:\n            httpGet:\n              path: /healthz", new: "          readinessProbe:\n            httpGet:\n              path: /readyz", want: "Deployment/temporal-ui container temporal-ui: readinessProbe on \"/readyz\", want /healthz"},
		{name: "UI without PodDisruptionBudget", file: "k8s/pdb.yaml", old: "      app.kubernetes.io/component: temporal-ui\n", new: "      app.kubernetes.io/component: temporal-web\n", want: "temporal-ui: no PodDisruptionBudget"},
		{name: "single UI replica", file: "k8s/temporal-ui-deployment.yaml", old: "  replicas: 2", new: "  replicas: 1", want: "Deployment/temporal-ui: replicas 1"},
		{name: "HPA scales a missing Deployment", file: "k8s/api-hpa.yaml", old: "    name: datashare-api\n", new: "    name: datashare-apis\n", want: "datashare-apis"},
	})
}

func TestContainersRunAsNonRoot(t *testing.T) {
	runCheck(t, checkNonRoot, []defect{
		{name: "Dockerfile without USER", file: dockerfileFile, old: "USER 65532:65532", new: "", want: "final stage runs as"},
		{name: "Dockerfile USER root", file: dockerfileFile, old: "USER 65532:65532", new: "USER 0:0", want: "final stage runs as \"0:0\""},
		{name: "runAsNonRoot false", file: "k8s/migrate-job.yaml", old: "            runAsNonRoot: true", new: "            runAsNonRoot: false", want: "Job/datashare-migrate container migrate: runAsNonRoot"},
		{name: "runAsUser 0", file: "k8s/api-deployment.yaml", old: "        runAsUser: 65532", new: "        runAsUser: 0", want: "runAsUser 0"},
		{name: "writable root filesystem", file: "k8s/worker-deployment.yaml", old: "readOnlyRootFilesystem: true", new: "readOnlyRootFilesystem: false", want: "container worker: readOnlyRootFilesystem"},
		{name: "capabilities kept", file: "k8s/api-deployment.yaml", old: `drop: ["ALL"]`, new: `drop: ["NET_RAW"]`, want: "do not drop ALL"},
		{name: "privilege escalation", file: "k8s/api-deployment.yaml", old: "allowPrivilegeEscalation: false", new: "allowPrivilegeEscalation: true", want: "allowPrivilegeEscalation"},
		{name: "tools image runs as root", file: toolsDockerfile, old: "USER 65532:65532", new: "USER root", want: "Dockerfile.temporal-tools: final stage runs as \"root\""},
		{name: "UI as root", file: "k8s/temporal-ui-deployment.yaml", old: "        runAsUser: 1000", new: "        runAsUser: 0", want: "Deployment/temporal-ui container temporal-ui: runAsUser 0"},
		{name: "UI writable", file: "k8s/temporal-ui-deployment.yaml", old: "readOnlyRootFilesystem: true", new: "readOnlyRootFilesystem: false", want: "container temporal-ui: readOnlyRootFilesystem"},
		{name: "setup Job keeps capabilities", file: "k8s/temporal-setup-job.yaml", old: `drop: ["ALL"]`, new: `drop: ["NET_RAW"]`, want: "Job/datashare-temporal-setup container temporal-setup: capabilities"},
		{name: "schema job writable", file: composeFile, old: "    <<: *hardening\n    image: datashare-temporal-tools", new: "    image: datashare-temporal-tools", want: "compose service temporal-schema: read_only is not true"},
		{name: "compose root user", file: composeFile, old: "  read_only: true\n", new: "  read_only: true\n  user: root\n", want: "user \"root\""},
		{name: "compose writable", file: composeFile, old: "  read_only: true\n", new: "  read_only: false\n", want: "read_only is not true"},
	})
}

func TestNoSecretValues(t *testing.T) {
	runCheck(t, checkSecrets, []defect{
		{name: "real password in Secret DSN", file: "k8s/secret.example.yaml", old: "datashare:REPLACE_ME@", new: "datashare:S3cretPassw0rd@", want: "DATASHARE_DB_DSN embeds a literal password"},
		{name: "base64 secret", file: "k8s/secret.example.yaml", old: "stringData:", new: "data:\n  TEMPORAL_API_KEY: " + base64.StdEncoding.EncodeToString([]byte("tk_live_123")) + "\nstringData:", want: "TEMPORAL_API_KEY holds a literal value"},
		{name: "Secret applied by kustomize", file: kustomizationFile, old: "  - pdb.yaml\n", new: "  - pdb.yaml\n  - secret.example.yaml\n", want: "would overwrite the real Secret"},
		{name: "literal password in compose", file: composeFile, old: "      POSTGRES_PWD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}", new: "      POSTGRES_PWD: temporal", want: "compose service temporal: POSTGRES_PWD holds a literal value"},
		{name: "password with a default", file: composeFile, old: "MARIADB_ROOT_PASSWORD: ${MARIADB_ROOT_PASSWORD:?set MARIADB_ROOT_PASSWORD in deploy/.env}", new: "MARIADB_ROOT_PASSWORD: ${MARIADB_ROOT_PASSWORD:-root}", want: "MARIADB_ROOT_PASSWORD holds a literal value"},
		{name: "literal password in compose DSN", file: composeFile, old: "datashare:${MARIADB_PASSWORD:?set MARIADB_PASSWORD in deploy/.env}@tcp", new: "datashare:hunter2@tcp", want: "DATASHARE_DB_DSN embeds a literal password"},
		{name: "filled-in .env.example", file: dotenvFile, old: "MARIADB_PASSWORD=\n", new: "MARIADB_PASSWORD=hunter2\n", want: "MARIADB_PASSWORD has a value"},
		{name: "UI client secret in compose", file: composeFile, old: "TEMPORAL_AUTH_CLIENT_SECRET: ${TEMPORAL_AUTH_CLIENT_SECRET:?set TEMPORAL_AUTH_CLIENT_SECRET in deploy/.env}", new: "TEMPORAL_AUTH_CLIENT_SECRET: s3cret", want: "compose service temporal-ui: TEMPORAL_AUTH_CLIENT_SECRET holds a literal value"},
		{name: "UI client secret in .env.example", file: dotenvFile, old: "TEMPORAL_AUTH_CLIENT_SECRET=\n", new: "TEMPORAL_AUTH_CLIENT_SECRET=s3cret\n", want: "TEMPORAL_AUTH_CLIENT_SECRET has a value"},
		{name: "UI client secret in a ConfigMap", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_AUTH_CLIENT_ID: temporal-ui\n", new: "  TEMPORAL_AUTH_CLIENT_ID: temporal-ui\n  TEMPORAL_AUTH_CLIENT_SECRET: s3cret\n", want: "ConfigMap/temporal-ui-config: TEMPORAL_AUTH_CLIENT_SECRET is a credential"},
		{name: "UI Secret template filled in", file: "k8s/temporal-ui-secret.example.yaml", old: "TEMPORAL_AUTH_CLIENT_SECRET: REPLACE_ME", new: "TEMPORAL_AUTH_CLIENT_SECRET: s3cret", want: "Secret/temporal-ui-secrets: TEMPORAL_AUTH_CLIENT_SECRET holds a literal value"},
		{name: "UI Secret applied by kustomize", file: kustomizationFile, old: "  - pdb.yaml\n", new: "  - pdb.yaml\n  - temporal-ui-secret.example.yaml\n", want: "Secret/temporal-ui-secrets: a Secret template is listed"},
	})
}

func TestProcessConfiguration(t *testing.T) {
	runCheck(t, checkConfig, []defect{
		{name: "invalid jurisdiction", file: "k8s/configmap.yaml", old: "DATASHARE_PROFILE: ningxia", new: "DATASHARE_PROFILE: beijing", want: "DATASHARE_PROFILE: must be one of"},
		{name: "invalid duration", file: "k8s/configmap.yaml", old: "DATASHARE_SHUTDOWN_TIMEOUT: 20s", new: "DATASHARE_SHUTDOWN_TIMEOUT: twenty", want: "DATASHARE_SHUTDOWN_TIMEOUT"},
		{name: "loopback listener", file: "k8s/configmap.yaml", old: "DATASHARE_HTTP_ADDR: 0.0.0.0:8080", new: "DATASHARE_HTTP_ADDR: 127.0.0.1:8080", want: "is loopback"},
		{name: "port differs from the container's", file: "k8s/configmap.yaml", old: "DATASHARE_HTTP_ADDR: 0.0.0.0:8080", new: "DATASHARE_HTTP_ADDR: 0.0.0.0:9090", want: "container port 8080 is not the DATASHARE_HTTP_ADDR port 9090"},
		{name: "SQLite in production", file: composeFile, old: "  DATASHARE_DB_DIALECT: mysql\n", new: "  DATASHARE_DB_DIALECT: sqlite\n", want: "want mysql"},
		{name: "dev tokens in production", file: composeFile, old: "  DATASHARE_AUTH_MODE: oidc\n", new: "  DATASHARE_AUTH_MODE: dev\n", want: "want oidc"},
		{name: "OIDC without audience", file: composeFile, old: "  DATASHARE_OIDC_AUDIENCE: ${DATASHARE_OIDC_AUDIENCE:?set DATASHARE_OIDC_AUDIENCE in deploy/.env}\n", new: "", want: "DATASHARE_OIDC_AUDIENCE: required"},
		{name: "text logs", file: "k8s/configmap.yaml", old: "DATASHARE_LOG_FORMAT: json", new: "DATASHARE_LOG_FORMAT: text", want: "want json"},
		{name: "setup Job in development mode", file: "k8s/temporal-setup-job.yaml", old: "                name: datashare-config\n", new: "                name: datashare-dev-config\n", want: `Job/datashare-temporal-setup container temporal-setup: envFrom configMapRef "datashare-dev-config" is not defined`},
		{name: "invalid retention", file: "k8s/configmap.yaml", old: "DATASHARE_TEMPORAL_RETENTION: 720h", new: "DATASHARE_TEMPORAL_RETENTION: 30d", want: "DATASHARE_TEMPORAL_RETENTION"},
		{name: "envFrom a missing ConfigMap", file: "k8s/api-deployment.yaml", old: "name: datashare-config", new: "name: datashare-cfg", want: `configMapRef "datashare-cfg" is not defined`},
	})
}

func TestComposeStartOrder(t *testing.T) {
	runCheck(t, checkCompose, []defect{
		{name: "api does not wait for migrate", file: composeFile, old: "    command: [\"api\"]\n    restart: unless-stopped\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n", new: "    command: [\"api\"]\n    restart: unless-stopped\n    depends_on:\n      migrate:\n        condition: service_started\n", want: "compose service api: depends on migrate with condition \"service_started\""},
		{name: "MariaDB without healthcheck", file: composeFile, old: "    healthcheck:\n      # The image's own check.", new: "    x-healthcheck:\n      # The image's own check.", want: "compose service mariadb: no healthcheck"},
		{name: "PostgreSQL without healthcheck", file: composeFile, old: "    healthcheck:\n      # TCP, not the socket", new: "    x-healthcheck:\n      # TCP, not the socket", want: "compose service postgresql: no healthcheck"},
		{name: "server before its schemas", file: composeFile, old: "      temporal-schema:\n        condition: service_completed_successfully\n", new: "      temporal-schema:\n        condition: service_started\n", want: "compose service temporal: depends on temporal-schema"},
		{name: "worker does not wait for temporal-setup", file: composeFile, old: "      temporal-setup:\n        condition: service_completed_successfully\n      temporal:\n        condition: service_healthy\n    environment:\n      <<: *datashare-env\n    # Not published", new: "      temporal:\n        condition: service_healthy\n    environment:\n      <<: *datashare-env\n    # Not published", want: "compose service worker: depends on temporal-setup"},
		{name: "temporal-setup restarted", file: composeFile, old: "    command: [\"temporal-setup\"]\n    restart: \"no\"\n", new: "    command: [\"temporal-setup\"]\n    restart: always\n", want: "compose service temporal-setup: restart \"always\""},
		{name: "dynamic config not mounted from here", file: composeFile, old: "./temporal/dynamicconfig.yaml:", new: "./temporal/dynamic-config.yaml:", want: "mounts ./temporal/dynamic-config.yaml, which does not exist"},
		{name: "migrate restarted", file: composeFile, old: "    restart: \"no\"\n", new: "    restart: unless-stopped\n", want: "run the one-shot again"},
		{name: "wrong command", file: composeFile, old: `command: ["migrate", "up"]`, new: `command: ["migrate", "status"]`, want: "compose service migrate: command"},
		{name: "required variable not in .env.example", file: dotenvFile, old: "POSTGRES_PASSWORD=\n", new: "", want: "compose requires POSTGRES_PASSWORD"},
		{name: "UI provider not in .env.example", file: dotenvFile, old: "TEMPORAL_AUTH_PROVIDER_URL=\n", new: "", want: "compose requires TEMPORAL_AUTH_PROVIDER_URL"},
	})
}

func TestKustomization(t *testing.T) {
	runCheck(t, checkKustomization, []defect{
		{name: "listed file missing", file: kustomizationFile, old: "  - pdb.yaml\n", new: "  - pdb.yaml\n  - networkpolicy.yaml\n", want: "networkpolicy.yaml does not exist"},
		{name: "manifest left out", file: kustomizationFile, old: "  - api-hpa.yaml\n", new: "", want: "k8s/api-hpa.yaml is neither"},
		{name: "rewrite misses the image", file: kustomizationFile, old: "  - name: datashare\n", new: "  - name: datashare-server\n", want: "is not rewritten"},
		{name: "worker runs the API", file: "k8s/worker-deployment.yaml", old: `args: ["worker"]`, new: `args: ["api"]`, want: "Deployment/datashare-worker: args"},
		{name: "job only lists migrations", file: "k8s/migrate-job.yaml", old: `args: ["migrate", "up"]`, new: `args: ["migrate", "status"]`, want: "Job/datashare-migrate: args"},
		{name: "setup Job left out", file: kustomizationFile, old: "  - temporal-setup-job.yaml\n", new: "", want: "k8s/temporal-setup-job.yaml is neither"},
		{name: "no workload runs temporal-setup", file: "k8s/temporal-setup-job.yaml", old: `args: ["temporal-setup"]`, new: `args: ["migrate", "up"]`, want: "no Kubernetes workload runs `datashare temporal-setup`"},
	})
}

func TestConsoleKeyIsASharedSecret(t *testing.T) {
	const (
		composeEnv  = "      DATASHARE_CONSOLE_KEY_FILE: /run/secrets/console-session-key\n"
		composeDecl = "  console-session-key:\n    file: ./console-session-key\n"
		k8sEnv      = "            - name: DATASHARE_CONSOLE_KEY_FILE\n              value: /etc/datashare/console/console-session-key\n"
		k8sMount    = "            - name: console-key\n              mountPath: /etc/datashare/console\n              readOnly: true\n"
		k8sVolume   = "        - name: console-key\n          secret:\n            secretName: datashare-console-key\n            defaultMode: 0440\n"
	)
	runCheck(t, checkConsoleKey, []defect{
		{name: "compose api without the variable", file: composeFile, old: composeEnv, new: "", want: "compose service api: DATASHARE_CONSOLE_KEY_FILE is not set"},
		{name: "compose key in the data folder", file: composeFile, old: composeEnv, new: "      DATASHARE_CONSOLE_KEY_FILE: /var/lib/datashare/console-session-key\n", want: "compose service api: DATASHARE_CONSOLE_KEY_FILE=/var/lib/datashare/console-session-key is not the file of a secret"},
		{name: "compose api not given the secret", file: composeFile, old: "    secrets:\n      - console-session-key\n", new: "", want: "compose service api: DATASHARE_CONSOLE_KEY_FILE=/run/secrets/console-session-key is not the file of a secret"},
		{name: "compose secret under another target", file: composeFile, old: "    secrets:\n      - console-session-key\n", new: "    secrets:\n      - source: console-session-key\n        target: console-key\n", want: "is not the file of a secret given to the service ([/run/secrets/console-key])"},
		{name: "compose secret not declared", file: composeFile, old: composeDecl, new: "  other-key:\n    file: ./console-session-key\n", want: "compose service api: secret \"console-session-key\" is not declared"},
		{name: "compose key file not git-ignored", file: gitignoreFile, old: "/console-session-key\n", new: "", want: "its file ./console-session-key is not ignored"},
		{name: "compose api replaced", file: composeFile, old: `command: ["api"]`, new: `command: ["api", "--help"]`, want: "compose: no service runs `datashare api`"},
		{name: "Kubernetes api without the variable", file: "k8s/api-deployment.yaml", old: k8sEnv, new: "", want: "Deployment/datashare-api container api: DATASHARE_CONSOLE_KEY_FILE is not set"},
		{name: "Kubernetes key in the data folder", file: "k8s/api-deployment.yaml", old: k8sEnv, new: "            - name: DATASHARE_CONSOLE_KEY_FILE\n              value: /var/lib/datashare/console-session-key\n", want: "DATASHARE_CONSOLE_KEY_FILE=/var/lib/datashare/console-session-key lies in no volumeMount"},
		{name: "Kubernetes key next to the mount", file: "k8s/api-deployment.yaml", old: k8sEnv, new: "            - name: DATASHARE_CONSOLE_KEY_FILE\n              value: /etc/datashare/console-session-key\n", want: "lies in no volumeMount"},
		{name: "Kubernetes mount writable", file: "k8s/api-deployment.yaml", old: k8sMount, new: "            - name: console-key\n              mountPath: /etc/datashare/console\n", want: "volumeMount console-key of DATASHARE_CONSOLE_KEY_FILE is not readOnly"},
		{name: "Kubernetes volume not a Secret", file: "k8s/api-deployment.yaml", old: k8sVolume, new: "        - name: console-key\n          emptyDir: {}\n", want: "volume console-key of DATASHARE_CONSOLE_KEY_FILE is not a Secret volume"},
		{name: "Kubernetes volume missing", file: "k8s/api-deployment.yaml", old: k8sVolume, new: strings.Replace(k8sVolume, "console-key\n", "console-keys\n", 1), want: "volumeMount console-key of DATASHARE_CONSOLE_KEY_FILE has no volume in the pod"},
		{name: "Kubernetes Secret not declared", file: "k8s/console-secret.example.yaml", drop: true, want: "Secret \"datashare-console-key\" of DATASHARE_CONSOLE_KEY_FILE has no template"},
		{name: "Kubernetes Secret named differently", file: "k8s/api-deployment.yaml", old: "secretName: datashare-console-key", new: "secretName: datashare-secrets", want: "reads key \"console-session-key\", which the Secret datashare-secrets does not have"},
		{name: "Kubernetes item renamed", file: "k8s/api-deployment.yaml", old: k8sVolume, new: k8sVolume + "            items:\n              - key: console-session-key\n                path: session-key\n", want: "is not among the items of the Secret volume console-key"},
	})
}

func TestTemporalFollowsGoMod(t *testing.T) {
	runCheck(t, checkVersions, []defect{
		{name: "server tag behind go.mod", file: composeFile, old: "image: temporalio/server:1.32.1", new: "image: temporalio/server:1.31.0", want: "compose service temporal: image temporalio/server:1.31.0, want tag 1.32.1"},
		{name: "go.mod moves on", file: goModFile, old: "go.temporal.io/server v1.32.1", new: "go.temporal.io/server v1.33.0", want: "want tag 1.33.0"},
		{name: "deprecated auto-setup image", file: composeFile, old: "image: temporalio/server:1.32.1", new: "image: temporalio/auto-setup:1.29.7", want: "want temporalio/server"},
		{name: "server with a config file", file: composeFile, old: `command: ["temporal-server", "start"]`, new: `command: ["temporal-server", "--config-file", "/etc/temporal/config.yaml", "start"]`, want: "compose service temporal: command"},
		{name: "compose UI behind go.mod", file: composeFile, old: "image: temporalio/ui:2.55.0", new: "image: temporalio/ui:2.54.0", want: "compose service temporal-ui: image temporalio/ui:2.54.0, want tag 2.55.0"},
		{name: "Kubernetes UI behind go.mod", file: "k8s/temporal-ui-deployment.yaml", old: "image: temporalio/ui:2.55.0", new: "image: temporalio/ui:2.54.0", want: "Deployment/temporal-ui: image temporalio/ui:2.54.0"},
		{name: "no UI in Kubernetes", file: "k8s/temporal-ui-deployment.yaml", old: "image: temporalio/ui:2.55.0", new: "image: registry.example.gov.cn/temporal-ui:2.55.0", want: "no Kubernetes workload runs temporalio/ui"},
		{name: "SQL tool at a version of its own", file: toolsDockerfile, old: "go.temporal.io/server/cmd/tools/sql; \\", new: "go.temporal.io/server/cmd/tools/sql@v1.29.0; \\", want: "does not `go build` go.temporal.io/server/cmd/tools/sql"},
		{name: "tools builder off the go directive", file: toolsDockerfile, old: "golang:1.26.8 AS build", new: "golang:1.25.3 AS build", want: "Dockerfile.temporal-tools: builder golang:1.25.3, want golang:1.26.8"},
		{name: "schema folder elsewhere in compose", file: composeFile, old: "      SCHEMA_DIR: /etc/temporal/schema/postgresql/v12\n", new: "      SCHEMA_DIR: /etc/temporal/schema/postgresql\n", want: "compose service temporal-schema: SCHEMA_DIR=/etc/temporal/schema/postgresql, but the image has it"},
		{name: "schema job from another Dockerfile", file: composeFile, old: "dockerfile: deploy/Dockerfile.temporal-tools", new: "dockerfile: deploy/Dockerfile", want: "compose service temporal-schema: image"},
		{name: "script kept out of the build context", file: dockerignoreFile, old: "!deploy/temporal/setup-schema.sh\n", new: "", want: "keeps out of the build context"},
		{name: "copies a missing script", file: toolsDockerfile, old: "COPY --chmod=755 deploy/temporal/setup-schema.sh", new: "COPY --chmod=755 deploy/temporal/schema.sh", want: "copies deploy/temporal/schema.sh, which does not exist"},
	})
}

func TestTemporalUISignIn(t *testing.T) {
	runCheck(t, checkUISignIn, []defect{
		{name: "compose UI without sign-in", file: composeFile, old: "      TEMPORAL_AUTH_ENABLED: \"true\"\n", new: "      TEMPORAL_AUTH_ENABLED: \"false\"\n", want: "compose service temporal-ui: TEMPORAL_AUTH_ENABLED is \"false\""},
		{name: "Kubernetes UI without sign-in", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_AUTH_ENABLED: \"true\"\n", new: "", want: "Deployment/temporal-ui container temporal-ui: TEMPORAL_AUTH_ENABLED is \"\""},
		{name: "compose provider with a default", file: composeFile, old: "${TEMPORAL_AUTH_PROVIDER_URL:?set TEMPORAL_AUTH_PROVIDER_URL in deploy/.env}", new: "${TEMPORAL_AUTH_PROVIDER_URL:-http://localhost:8081}", want: "TEMPORAL_AUTH_PROVIDER_URL is"},
		{name: "Kubernetes client secret as a literal", file: "k8s/temporal-ui-deployment.yaml", old: "              valueFrom:\n                secretKeyRef:\n                  name: temporal-ui-secrets\n                  key: TEMPORAL_AUTH_CLIENT_SECRET\n", new: "              value: REPLACE_ME\n", want: "TEMPORAL_AUTH_CLIENT_SECRET does not come from a Secret"},
		{name: "Kubernetes UI reads datashare's Secret", file: "k8s/temporal-ui-deployment.yaml", old: "          envFrom:\n            - configMapRef:\n                name: temporal-ui-config\n", new: "          envFrom:\n            - configMapRef:\n                name: temporal-ui-config\n            - secretRef:\n                name: datashare-secrets\n", want: "takes a whole Secret"},
		{name: "Kubernetes callback over plain HTTP", file: "k8s/temporal-ui-configmap.yaml", old: "TEMPORAL_AUTH_CALLBACK_URL: https://", new: "TEMPORAL_AUTH_CALLBACK_URL: http://", want: "is not https"},
		{name: "Kubernetes scopes missing", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_AUTH_SCOPES: openid,profile,email\n", new: "", want: "TEMPORAL_AUTH_SCOPES is not set"},
		{name: "callback to the wrong path", file: composeFile, old: "http://localhost:8233/auth/sso/callback}", new: "http://localhost:8233/callback}", want: "is not the UI server's /auth/sso/callback"},
		{name: "compose UI writable", file: composeFile, old: "      TEMPORAL_DISABLE_WRITE_ACTIONS: \"true\"\n", new: "      TEMPORAL_DISABLE_WRITE_ACTIONS: \"false\"\n", want: "compose service temporal-ui: TEMPORAL_DISABLE_WRITE_ACTIONS is \"false\""},
		{name: "Kubernetes UI starts workflows", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_START_WORKFLOW_DISABLED: \"true\"\n", new: "", want: "TEMPORAL_START_WORKFLOW_DISABLED is \"\""},
		{name: "Kubernetes UI on another frontend", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_ADDRESS: temporal-frontend.temporal.svc.cluster.local:7233", new: "  TEMPORAL_ADDRESS: temporal-frontend.default.svc.cluster.local:7233", want: "TEMPORAL_ADDRESS \"temporal-frontend.default.svc.cluster.local:7233\" is not the frontend datashare uses"},
		{name: "compose UI on the default namespace", file: composeFile, old: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n", new: "      TEMPORAL_DEFAULT_NAMESPACE: default\n", want: "TEMPORAL_DEFAULT_NAMESPACE \"default\" is not datashare's namespace"},
	})
}

// TestFollowsTheHarness compares compose and Kubernetes with what `make prod-up` runs, as
// prod/stack.sh prints it.
func TestFollowsTheHarness(t *testing.T) {
	real := loadHarness(t, loadFiles(t))
	runCheckOn(t, real, checkHarness, []defect{
		{name: "compose server without a harness variable", file: composeFile, old: "      NUM_HISTORY_SHARDS: \"4\"\n", new: "", want: "compose service temporal: does not set NUM_HISTORY_SHARDS, which `make prod-up` sets"},
		{name: "shard count differs", file: composeFile, old: "      NUM_HISTORY_SHARDS: \"4\"\n", new: "      NUM_HISTORY_SHARDS: \"512\"\n", want: "NUM_HISTORY_SHARDS=512, but `make prod-up` runs temporal-server with NUM_HISTORY_SHARDS=4"},
		{name: "compose server with a variable the harness lacks", file: composeFile, old: "      NUM_HISTORY_SHARDS: \"4\"\n", new: "      NUM_HISTORY_SHARDS: \"4\"\n      SQL_MAX_CONNS: \"50\"\n", want: "compose service temporal: sets SQL_MAX_CONNS, which `make prod-up` does not set"},
		{name: "harness gains a server variable", file: harnessKey("env", "temporal-server"), old: "DB=postgres12\n", new: "DB=postgres12\nSQL_MAX_CONNS=50\n", want: "compose service temporal: does not set SQL_MAX_CONNS"},
		{name: "harness moves to another plugin", file: harnessKey("env", "temporal-server"), old: "DB=postgres12\n", new: "DB=postgres12_pgx\n", want: "compose service temporal: DB=postgres12, but `make prod-up`"},
		{name: "schema job without the tool's path", file: composeFile, old: "      TEMPORAL_SQL_TOOL: /usr/local/bin/temporal-sql-tool\n", new: "", want: "compose service temporal-schema: does not set TEMPORAL_SQL_TOOL"},
		{name: "schema job runs another script", file: composeFile, old: `command: ["/bin/sh", "/usr/local/bin/setup-schema.sh"]`, new: `command: ["/bin/sh", "/usr/local/bin/auto-setup.sh"]`, want: "compose service temporal-schema: command"},
		{name: "compose UI without a harness variable", file: composeFile, old: "      TEMPORAL_DISABLE_NEWS_FETCH: \"true\"\n", new: "", want: "compose service temporal-ui: does not set TEMPORAL_DISABLE_NEWS_FETCH"},
		{name: "compose UI with a variable the harness lacks", file: composeFile, old: "      TEMPORAL_DISABLE_NEWS_FETCH: \"true\"\n", new: "      TEMPORAL_DISABLE_NEWS_FETCH: \"true\"\n      TEMPORAL_UI_PUBLIC_PATH: /ui\n", want: "compose service temporal-ui: sets TEMPORAL_UI_PUBLIC_PATH"},
		{name: "Kubernetes UI with a variable the harness lacks", file: "k8s/temporal-ui-configmap.yaml", old: "  TEMPORAL_UI_PORT: \"8080\"\n", new: "  TEMPORAL_UI_PORT: \"8080\"\n  TEMPORAL_UI_PUBLIC_PATH: /ui\n", want: "ConfigMap/temporal-ui-config: sets TEMPORAL_UI_PUBLIC_PATH"},
		{name: "server command differs", file: harnessKey("cmd", "temporal-server"), old: "start", new: "start\n--allow-no-auth", want: "compose service temporal: command"},
		{name: "compose worker command differs", file: composeFile, old: `command: ["worker"]`, new: `command: ["worker", "--task-queue", "x"]`, want: "compose service worker: command [\"worker\" \"--task-queue\" \"x\"], but `make prod-up` runs datashare [\"worker\"]"},
		{name: "harness migrates differently", file: harnessKey("cmd", "migrate"), old: "up", new: "up\n--to\n14", want: "Job/datashare-migrate: args [\"migrate\" \"up\"], but `make prod-up`"},
		{name: "Kubernetes setup Job command differs", file: "k8s/temporal-setup-job.yaml", old: `args: ["temporal-setup"]`, new: `args: ["temporal-setup", "--retention", "24h"]`, want: "Job/datashare-temporal-setup: args"},
		{name: "harness without temporal-setup", file: harnessKey("cmd", "temporal-setup"), drop: true, want: "no output of `prod/stack.sh cmd temporal-setup`"},
	})
}
