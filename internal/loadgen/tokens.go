package loadgen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Token variables of the demo users, as `make run` writes them to data/demo-tokens.env.
const (
	// VarApplicant is the using department's applicant, who creates the share requests.
	VarApplicant = "TOKEN_APPLICANT"
	// VarApprover is the providing department's approver, who decides their reply tasks.
	VarApprover = "TOKEN_APPROVER"
)

// Tokens are the bearer tokens a run acts with.
type Tokens struct {
	Applicant string
	Approver  string
}

// ParseTokens reads shell assignments, one a line, as `make run` writes them
// (TOKEN_APPLICANT=eyJ…). It also takes what a person might write by hand: `export ` before
// the name, the value in single or double quotes, blank lines and # comments. A line that
// is none of these is an error naming it, so a wrong file is not read as no tokens.
func ParseTokens(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024) // a JWT line is long, not a megabyte
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		name, value, ok := strings.Cut(line, "=")
		if !ok || !validName(name) {
			return nil, fmt.Errorf("line %d: not NAME=value", n)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		out[name] = value
	}
	return out, sc.Err()
}

// validName is a shell variable name: letters, digits and _, not starting with a digit.
func validName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// LoadTokens reads the tokens of applicantVar and approverVar from the file at path and lets
// the environment (getenv, normally os.Getenv) override each: a variable set and not empty
// wins over the file. A missing file is no error when the environment has both tokens.
func LoadTokens(path, applicantVar, approverVar string, getenv func(string) string) (Tokens, error) {
	vars := map[string]string{}
	f, err := os.Open(path)
	switch {
	case err == nil:
		vars, err = ParseTokens(f)
		f.Close()
		if err != nil {
			return Tokens{}, fmt.Errorf("tokens file %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return Tokens{}, fmt.Errorf("tokens file: %w", err)
	}
	pick := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return vars[name]
	}
	t := Tokens{Applicant: pick(applicantVar), Approver: pick(approverVar)}
	var missing []string
	if t.Applicant == "" {
		missing = append(missing, applicantVar)
	}
	if t.Approver == "" {
		missing = append(missing, approverVar)
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("no %s in %s or the environment (`make run` writes that file; --tokens names another)",
			strings.Join(missing, " and "), path)
	}
	return t, nil
}
