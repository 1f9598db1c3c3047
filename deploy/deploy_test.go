// Package deploy holds what runs datashare in production: the image, a compose stack and
// Kubernetes manifests. No Docker engine or kubectl is at hand where the tests run, so this
// test checks the files statically: that they parse, name only real configuration variables,
// pin their images, probe the right endpoints, run without root, carry no secret and give the
// processes a configuration that config.Load accepts.
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
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"

	"github.com/datashare/datashare/internal/config"
)

// Files the checks read, relative to this folder.
const (
	composeFile       = "compose.yaml"
	dockerfileFile    = "Dockerfile"
	dotenvFile        = ".env.example"
	kustomizationFile = "k8s/kustomization.yaml"
)

// imageVars are variables that start like datashare's but belong to a third-party image. Each
// is allowed only in a service or container of that image repository.
var imageVars = map[string]string{
	"TEMPORAL_CLI_ADDRESS":          "temporalio/auto-setup", // its setup script's CLI address
	"TEMPORAL_DEFAULT_NAMESPACE":    "temporalio/ui",
	"TEMPORAL_CSRF_COOKIE_INSECURE": "temporalio/ui",
}

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
			name == dockerfileFile || name == dotenvFile) {
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
	return f
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
	c := composeFileT{services: map[string]map[string]any{}, values: stringValues(docs[0])}
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
func (c composeFileT) interpolations() [][2]string {
	var out [][2]string
	for _, v := range c.values {
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

// isDatashareService reports whether a service runs the datashare image (it is built here).
func isDatashareService(svc map[string]any) bool {
	return svc["build"] != nil || imageRepo(resolveDefaults(strOf(svc["image"]))) == "datashare"
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
	where, name, image string
}

// checkEnvNames: every DATASHARE_* and TEMPORAL_* name given to a process, interpolated by
// compose or listed in .env.example is a variable of config.Vars(), or belongs to the image
// that reads it.
func checkEnvNames(f files) []string {
	known := map[string]bool{}
	for _, v := range config.Vars() {
		known[v.Env] = true
	}
	var uses []envUse
	var problems []string

	c, err := parseCompose(f)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		for _, name := range c.names() {
			svc := c.services[name]
			for k := range environment(svc) {
				uses = append(uses, envUse{where: "compose service " + name, name: k, image: resolveDefaults(strOf(svc["image"]))})
			}
		}
		for _, in := range c.interpolations() {
			uses = append(uses, envUse{where: "compose interpolation", name: in[0]})
		}
	}
	dotenv, err := parseDotEnv(f)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for k := range dotenv {
		uses = append(uses, envUse{where: dotenvFile, name: k})
	}

	objs, perr := parseK8s(f)
	problems = append(problems, perr...)
	for _, o := range objs {
		switch o.kind() {
		case "ConfigMap":
			for k := range mapOf(o.obj["data"]) {
				uses = append(uses, envUse{where: o.String(), name: k})
			}
		case "Secret":
			for _, field := range []string{"data", "stringData"} {
				for k := range mapOf(o.obj[field]) {
					uses = append(uses, envUse{where: o.String(), name: k})
				}
			}
		}
		for _, ctr := range containers(podSpec(o)) {
			for _, e := range listOf(ctr["env"]) {
				uses = append(uses, envUse{where: o.String(), name: strOf(get(e, "name")), image: strOf(ctr["image"])})
			}
		}
	}

	for _, u := range uses {
		if !strings.HasPrefix(u.name, "DATASHARE_") && !strings.HasPrefix(u.name, "TEMPORAL_") {
			continue
		}
		if known[u.name] {
			continue
		}
		if repo, ok := imageVars[u.name]; ok && u.image != "" && imageRepo(u.image) == repo {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: %s is not a datashare configuration variable (see `datashare config`)", u.where, u.name))
	}
	sort.Strings(problems)
	return slices.Compact(problems)
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

	if src, ok := f[dockerfileFile]; !ok {
		problems = append(problems, dockerfileFile+" is missing")
	} else if stages, err := parseDockerfile(src); err != nil {
		problems = append(problems, dockerfileFile+": "+err.Error())
	} else {
		var names []string
		for _, st := range stages {
			if st.image != "scratch" && !slices.Contains(names, st.image) {
				add(dockerfileFile+" FROM", imageProblem(st.image))
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

// checkWorkloads: the Deployments run at least two replicas with readiness on /readyz and
// liveness on /healthz at a declared port; a PodDisruptionBudget covers each; Services and
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
			for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
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

// checkNonRoot: the image's final stage and every pod run as a non-root user, and every
// datashare container (Kubernetes and compose) has a read-only root filesystem, no
// privilege escalation and no capabilities. Third-party compose services run as their images
// require (MySQL's entrypoint starts as root to own its volume).
func checkNonRoot(f files) []string {
	var problems []string
	if src, ok := f[dockerfileFile]; !ok {
		problems = append(problems, dockerfileFile+" is missing")
	} else if stages, err := parseDockerfile(src); err != nil {
		problems = append(problems, dockerfileFile+": "+err.Error())
	} else if final := stages[len(stages)-1]; isRootUser(final.user) {
		problems = append(problems, fmt.Sprintf("%s: final stage runs as %q, want a non-root numeric USER", dockerfileFile, final.user))
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
		if !isDatashareService(svc) {
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
// kustomization; compose takes every credential from a required variable; .env.example
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

// checkCompose: the start order holds (migrate after a healthy MySQL; api and worker after a
// successful migrate and a healthy Temporal), the services the order waits on have
// healthchecks, the one-shot migrate is not restarted, each process gets its command, and
// .env.example names every variable compose requires.
func checkCompose(f files) []string {
	c, err := parseCompose(f)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	want := map[string]map[string]string{
		"migrate": {"mysql": "service_healthy"},
		"api":     {"migrate": "service_completed_successfully", "temporal": "service_healthy"},
		"worker":  {"migrate": "service_completed_successfully", "temporal": "service_healthy"},
	}
	commands := map[string][]string{"migrate": {"migrate", "up"}, "api": {"api"}, "worker": {"worker"}}
	for _, name := range []string{"mysql", "temporal", "temporal-ui", "migrate", "api", "worker"} {
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
		if got := strList(s["command"]); !slices.Equal(got, commands[svc]) {
			problems = append(problems, fmt.Sprintf("compose service %s: command %q, want %q", svc, got, commands[svc]))
		}
	}
	if m := c.services["migrate"]; m != nil {
		if r := strOf(m["restart"]); r != "" && r != "no" && r != "on-failure" {
			problems = append(problems, fmt.Sprintf("compose service migrate: restart %q would run the one-shot again after it succeeded", r))
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
	commands := map[string][]string{"Job": {"migrate", "up"}}
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
			args := strList(ctr["args"])
			want := commands[o.kind()]
			if o.kind() == "Deployment" {
				want = []string{strOf(get(o.obj, "metadata", "labels", "app.kubernetes.io/component"))}
			}
			if !slices.Equal(args, want) || (len(args) > 0 && !slices.Contains([]string{"api", "worker", "migrate"}, args[0])) {
				problems = append(problems, fmt.Sprintf("%s: args %q, want %q", o, args, want))
			}
			if len(args) > 0 {
				seen[args[0]] = true
			}
		}
	}
	for _, cmd := range []string{"api", "worker", "migrate"} {
		if !seen[cmd] {
			problems = append(problems, "no Kubernetes workload runs `datashare "+cmd+"`")
		}
	}
	return problems
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
	real := loadFiles(t)
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
		{name: "image variable on a datashare service", file: composeFile, old: "  TEMPORAL_NAMESPACE: datashare\n", new: "  TEMPORAL_NAMESPACE: datashare\n  TEMPORAL_CLI_ADDRESS: temporal:7233\n", want: "compose service api: TEMPORAL_CLI_ADDRESS"},
		{name: "image variable on the wrong image", file: composeFile, old: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n", new: "      TEMPORAL_DEFAULT_NAMESPACE: datashare\n      TEMPORAL_CLI_ADDRESS: temporal:7233\n", want: "compose service temporal-ui: TEMPORAL_CLI_ADDRESS"},
		{name: "misspelt in ConfigMap", file: "k8s/configmap.yaml", old: "  DATASHARE_HTTP_ADDR:", new: "  DATASHARE_HTTP_ADRESS:", want: "DATASHARE_HTTP_ADRESS"},
		{name: "misspelt in Secret", file: "k8s/secret.example.yaml", old: "  DATASHARE_DB_DSN:", new: "  DATASHARE_DATABASE_DSN:", want: "DATASHARE_DATABASE_DSN"},
		{name: "unknown in container env", file: "k8s/worker-deployment.yaml", old: "            - name: GOMEMLIMIT\n", new: "            - name: DATASHARE_WORKERS\n              value: \"4\"\n            - name: GOMEMLIMIT\n", want: "DATASHARE_WORKERS"},
		{name: "unknown in .env.example", file: dotenvFile, old: "DATASHARE_OIDC_AUDIENCE=", new: "DATASHARE_OIDC_CLIENT=", want: "DATASHARE_OIDC_CLIENT"},
	})
}

func TestImagesArePinned(t *testing.T) {
	runCheck(t, checkImages, []defect{
		{name: "latest in compose", file: composeFile, old: "image: temporalio/ui:2.55.0", new: "image: temporalio/ui:latest", want: "temporalio/ui:latest"},
		{name: "untagged in compose", file: composeFile, old: "image: mysql:8.4.8", new: "image: mysql", want: `"mysql" is not pinned`},
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
		{name: "compose root user", file: composeFile, old: "  read_only: true\n", new: "  read_only: true\n  user: root\n", want: "user \"root\""},
		{name: "compose writable", file: composeFile, old: "  read_only: true\n", new: "  read_only: false\n", want: "read_only is not true"},
	})
}

func TestNoSecretValues(t *testing.T) {
	runCheck(t, checkSecrets, []defect{
		{name: "real password in Secret DSN", file: "k8s/secret.example.yaml", old: "datashare:REPLACE_ME@", new: "datashare:S3cretPassw0rd@", want: "DATASHARE_DB_DSN embeds a literal password"},
		{name: "base64 secret", file: "k8s/secret.example.yaml", old: "stringData:", new: "data:\n  TEMPORAL_API_KEY: " + base64.StdEncoding.EncodeToString([]byte("tk_live_123")) + "\nstringData:", want: "TEMPORAL_API_KEY holds a literal value"},
		{name: "Secret applied by kustomize", file: kustomizationFile, old: "  - pdb.yaml\n", new: "  - pdb.yaml\n  - secret.example.yaml\n", want: "would overwrite the real Secret"},
		{name: "literal password in compose", file: composeFile, old: "      MYSQL_PWD: ${MYSQL_TEMPORAL_PASSWORD:?set MYSQL_TEMPORAL_PASSWORD in deploy/.env}", new: "      MYSQL_PWD: temporal", want: "compose service temporal: MYSQL_PWD holds a literal value"},
		{name: "password with a default", file: composeFile, old: "MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD in deploy/.env}", new: "MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:-root}", want: "MYSQL_ROOT_PASSWORD holds a literal value"},
		{name: "literal password in compose DSN", file: composeFile, old: "datashare:${MYSQL_PASSWORD:?set MYSQL_PASSWORD in deploy/.env}@tcp", new: "datashare:hunter2@tcp", want: "DATASHARE_DB_DSN embeds a literal password"},
		{name: "filled-in .env.example", file: dotenvFile, old: "MYSQL_PASSWORD=\n", new: "MYSQL_PASSWORD=hunter2\n", want: "MYSQL_PASSWORD has a value"},
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
		{name: "envFrom a missing ConfigMap", file: "k8s/api-deployment.yaml", old: "name: datashare-config", new: "name: datashare-cfg", want: `configMapRef "datashare-cfg" is not defined`},
	})
}

func TestComposeStartOrder(t *testing.T) {
	runCheck(t, checkCompose, []defect{
		{name: "api does not wait for migrate", file: composeFile, old: "      migrate:\n        condition: service_completed_successfully\n      temporal:\n        condition: service_healthy\n    environment:\n      <<: *datashare-env\n    ports:", new: "      migrate:\n        condition: service_started\n      temporal:\n        condition: service_healthy\n    environment:\n      <<: *datashare-env\n    ports:", want: "compose service api: depends on migrate with condition \"service_started\""},
		{name: "MySQL without healthcheck", file: composeFile, old: "    healthcheck:\n      # TCP", new: "    x-healthcheck:\n      # TCP", want: "compose service mysql: no healthcheck"},
		{name: "migrate restarted", file: composeFile, old: "    restart: \"no\"\n", new: "    restart: unless-stopped\n", want: "run the one-shot again"},
		{name: "wrong command", file: composeFile, old: `command: ["migrate", "up"]`, new: `command: ["migrate", "status"]`, want: "compose service migrate: command"},
		{name: "required variable not in .env.example", file: dotenvFile, old: "MYSQL_TEMPORAL_PASSWORD=\n", new: "", want: "compose requires MYSQL_TEMPORAL_PASSWORD"},
	})
}

func TestKustomization(t *testing.T) {
	runCheck(t, checkKustomization, []defect{
		{name: "listed file missing", file: kustomizationFile, old: "  - pdb.yaml\n", new: "  - pdb.yaml\n  - networkpolicy.yaml\n", want: "networkpolicy.yaml does not exist"},
		{name: "manifest left out", file: kustomizationFile, old: "  - api-hpa.yaml\n", new: "", want: "k8s/api-hpa.yaml is neither"},
		{name: "rewrite misses the image", file: kustomizationFile, old: "  - name: datashare\n", new: "  - name: datashare-server\n", want: "is not rewritten"},
		{name: "worker runs the API", file: "k8s/worker-deployment.yaml", old: `args: ["worker"]`, new: `args: ["api"]`, want: "Deployment/datashare-worker: args"},
		{name: "job only lists migrations", file: "k8s/migrate-job.yaml", old: `args: ["migrate", "up"]`, new: `args: ["migrate", "status"]`, want: "Job/datashare-migrate: args"},
	})
}
