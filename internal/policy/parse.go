package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a policy file, located by line and path so that whoever edits the
// file finds it: "policy file x.yaml: line 42: procedures[2].steps[0].deadline.workdays: must be 1..365".
type Error struct {
	// File is the name the file was loaded under.
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Path is the place in the document, e.g. procedures[2].steps[0].deadline; empty for the
	// whole file.
	Path string
	Msg  string
}

// Error renders file, line, path and message, leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("policy file ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// maxReported bounds how many problems one load reports; a badly broken file needs a few to
// start with, not hundreds.
const maxReported = 20

// LoadFile reads and validates a profile file of a deployment.
func LoadFile(path string) (Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("policy file %s: %w", path, err)
	}
	p, err := Parse(data, path)
	if err != nil {
		return Profile{}, err
	}
	p.Source = SourceFile
	return p, nil
}

// LoadRefusalReasons replaces the profile's refusal reason catalogue with the one in the file
// at path, a YAML mapping with the single key refusal_reasons (the profile's own schema).
// Citations must name the profile's documents.
func LoadRefusalReasons(p Profile, path string) (Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("refusal reasons file %s: %w", path, err)
	}
	var file struct {
		RefusalReasons []RefusalReason `yaml:"refusal_reasons"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return Profile{}, &Error{File: path, Msg: "expected a mapping with the key refusal_reasons: " + err.Error()}
	}
	v := validator{present: func(string) bool { return false }, docs: map[string]bool{}}
	for _, d := range p.Documents {
		v.docs[d.Title] = true
	}
	v.refusalReasons("refusal_reasons", file.RefusalReasons)
	if len(v.issues) > 0 {
		return Profile{}, &Error{File: path, Path: v.issues[0].path, Msg: v.issues[0].msg}
	}
	c := p.clone()
	c.RefusalReasons = file.RefusalReasons
	return c, nil
}

// Parse decodes and validates one profile. name is used in errors. Unknown fields are refused;
// every problem is reported with its line and path, the first maxReported of them joined.
func Parse(data []byte, name string) (Profile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Profile{}, syntaxError(data, name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return Profile{}, &Error{File: name, Msg: "empty file: expected a profile mapping (id, name, jurisdiction, documents, procedures, retention)"}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return Profile{}, &Error{File: name, Line: doc.Line, Msg: "expected a mapping at the top (id, name, jurisdiction, documents, procedures, retention)"}
	}
	idx := newNodeIndex(doc)

	// Unknown keys are found here, before decoding, because the decoder's own strict mode
	// reports a line but not the path.
	if issues := unknownFields(doc, reflect.TypeOf(Profile{}), ""); len(issues) > 0 {
		return Profile{}, idx.errors(name, issues)
	}

	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Profile{}, idx.decodeError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := 0
		if err == nil {
			line = extra.Line
		}
		return Profile{}, &Error{File: name, Line: line, Msg: "more than one YAML document: a file holds one profile"}
	}

	applyFileDefaults(&p, idx)
	if issues := validate(p, idx.has); len(issues) > 0 {
		return Profile{}, idx.errors(name, issues)
	}
	normalise(&p)
	return p, nil
}

// applyFileDefaults fills what a file may leave out; absence is told apart from an explicit
// zero through the node index, so that "workdays: 0" is still an error.
func applyFileDefaults(p *Profile, idx *nodeIndex) {
	for i := range p.Procedures {
		pp := fmt.Sprintf("procedures[%d]", i)
		if !idx.has(pp + ".applies") {
			p.Procedures[i].Applies = true
		}
		for j := range p.Procedures[i].Steps {
			s := &p.Procedures[i].Steps[j]
			sp := fmt.Sprintf("%s.steps[%d]", pp, j)
			if s.Extension != nil && !idx.has(sp+".extension.max_count") {
				s.Extension.MaxCount = 1
			}
		}
	}
}

// issue is a problem found at a path, before it is located in a file.
type issue struct {
	path string
	msg  string
}

func issuef(path, format string, args ...any) issue {
	return issue{path: path, msg: fmt.Sprintf(format, args...)}
}

var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxError locates a YAML syntax error. The parser gives only a line, so the path is that of
// the last key read before it, found by parsing the lines above.
func syntaxError(data []byte, name string, err error) error {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	e := &Error{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if line > 1 && line-1 <= len(lines) {
		var prefix yaml.Node
		if yaml.Unmarshal(bytes.Join(lines[:line-1], nil), &prefix) == nil && len(prefix.Content) > 0 {
			if last := newNodeIndex(prefix.Content[0]).last(); last != "" {
				e.Path = last
				e.Msg = "invalid YAML after this key: " + m[2]
			}
		}
	}
	return e
}

// unknownFields walks the document against the Go type and reports keys that have no field,
// with the keys that would have been accepted.
func unknownFields(n *yaml.Node, t reflect.Type, path string) []issue {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []issue
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			kp := joinPath(path, key.Value)
			ft, ok := fields[key.Value]
			if !ok {
				out = append(out, issuef(kp, "unknown field %q (allowed here: %s)", key.Value, strings.Join(sortedKeys(fields), ", ")))
				continue
			}
			out = append(out, unknownFields(val, ft, kp)...)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, el := range n.Content {
			out = append(out, unknownFields(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// yamlFields maps the YAML keys of a struct to their field types, as yaml.v3 names them.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// parentPath strips the last segment: a.b[2] → a.b, a.b → a, a → "".
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}

// nodeIndex knows the line of every path of a document, and the paths on every line.
type nodeIndex struct {
	lines  map[string]int
	onLine map[int][]placed
}

type placed struct {
	path  string
	value *yaml.Node
}

func newNodeIndex(doc *yaml.Node) *nodeIndex {
	idx := &nodeIndex{lines: map[string]int{}, onLine: map[int][]placed{}}
	idx.add("", doc, doc.Line)
	return idx
}

func (x *nodeIndex) add(path string, n *yaml.Node, line int) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if path != "" {
		x.lines[path] = line
		x.onLine[line] = append(x.onLine[line], placed{path: path, value: n})
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			// The key's line, because that is where an editor looks for "deadline:".
			x.add(joinPath(path, n.Content[i].Value), n.Content[i+1], n.Content[i].Line)
		}
	case yaml.SequenceNode:
		for i, el := range n.Content {
			x.add(fmt.Sprintf("%s[%d]", path, i), el, el.Line)
		}
	}
}

// has reports whether the document spells out the path.
func (x *nodeIndex) has(path string) bool {
	_, ok := x.lines[path]
	return ok
}

// line of a path, or of its nearest ancestor present in the file (a missing field is reported
// where its parent is).
func (x *nodeIndex) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := x.lines[p]; ok {
			return l
		}
	}
	return 0
}

// last is the path that starts last in the document, the deepest of those on its line.
func (x *nodeIndex) last() string {
	best, bestLine := "", -1
	for p, l := range x.lines {
		if l > bestLine || (l == bestLine && len(p) > len(best)) {
			best, bestLine = p, l
		}
	}
	return best
}

// at finds the path on a line whose value is the given scalar, else the deepest on the line.
func (x *nodeIndex) at(line int, value string) string {
	best := ""
	for _, pl := range x.onLine[line] {
		if value != "" && pl.value.Kind == yaml.ScalarNode && pl.value.Value == value {
			return pl.path
		}
		if len(pl.path) > len(best) {
			best = pl.path
		}
	}
	return best
}

func (x *nodeIndex) errors(file string, issues []issue) error {
	errs := make([]error, 0, min(len(issues), maxReported))
	for i, is := range issues {
		if i == maxReported {
			errs = append(errs, &Error{File: file, Msg: fmt.Sprintf("and %d more problems", len(issues)-maxReported)})
			break
		}
		errs = append(errs, &Error{File: file, Line: x.line(is.path), Path: is.path, Msg: is.msg})
	}
	return errors.Join(errs...)
}

var backquotedRe = regexp.MustCompile("`([^`]*)`")

// decodeError turns the decoder's "line N: cannot unmarshal ..." messages into located errors.
func (x *nodeIndex) decodeError(file string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &Error{File: file, Line: line, Path: x.at(line, ""), Msg: m[2]}
		}
		return &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		m := yamlLineRe.FindStringSubmatch(msg)
		if m == nil {
			errs = append(errs, &Error{File: file, Msg: msg})
			continue
		}
		line, _ := strconv.Atoi(m[1])
		value := ""
		if v := backquotedRe.FindStringSubmatch(m[2]); v != nil {
			value = v[1]
		}
		errs = append(errs, &Error{File: file, Line: line, Path: x.at(line, value), Msg: m[2]})
	}
	return errors.Join(errs...)
}
