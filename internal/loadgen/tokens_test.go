package loadgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadgenParseTokens(t *testing.T) {
	// As make run writes the file, plus what a person might add by hand.
	in := "TOKEN_APPLICANT=eyJ.app.sig\nTOKEN_APPROVER=eyJ.appr.sig\n\n# a comment\n" +
		"export TOKEN_ADMIN=\"eyJ.admin.sig\"\n  TOKEN_AUTHORITY='eyJ.auth.sig'  \nTOKEN_EMPTY=\n"
	got, err := ParseTokens(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"TOKEN_APPLICANT": "eyJ.app.sig", "TOKEN_APPROVER": "eyJ.appr.sig", "TOKEN_ADMIN": "eyJ.admin.sig",
		"TOKEN_AUTHORITY": "eyJ.auth.sig", "TOKEN_EMPTY": "",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, bad := range []string{"just some text\n", "1TOKEN=x\n", "TOKEN-X=y\n", "=value\n"} {
		if _, err := ParseTokens(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: err = %v, want one naming line 1", bad, err)
		}
	}
}

func TestLoadgenLoadTokensFileAndEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo-tokens.env")
	if err := os.WriteFile(path, []byte("TOKEN_APPLICANT=from-file-app\nTOKEN_APPROVER=from-file-appr\nTOKEN_AUTHORITY=from-file-auth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	tok, err := LoadTokens(path, VarApplicant, VarApprover, getenv)
	if err != nil || tok != (Tokens{Applicant: "from-file-app", Approver: "from-file-appr"}) {
		t.Fatalf("file only: %+v, %v", tok, err)
	}
	// A variable of the environment wins over the file; an empty one does not.
	env[VarApprover] = "from-env-appr"
	env[VarApplicant] = ""
	if tok, err = LoadTokens(path, VarApplicant, VarApprover, getenv); err != nil || tok != (Tokens{Applicant: "from-file-app", Approver: "from-env-appr"}) {
		t.Fatalf("env override: %+v, %v", tok, err)
	}
	// Another variable can act as the approver (the deciding authority under neixiang).
	if tok, err = LoadTokens(path, VarApplicant, "TOKEN_AUTHORITY", getenv); err != nil || tok.Approver != "from-file-auth" {
		t.Fatalf("approver variable: %+v, %v", tok, err)
	}
	// Without the file the environment is enough …
	missing := filepath.Join(t.TempDir(), "none.env")
	env[VarApplicant] = "from-env-app"
	if tok, err = LoadTokens(missing, VarApplicant, VarApprover, getenv); err != nil || tok != (Tokens{Applicant: "from-env-app", Approver: "from-env-appr"}) {
		t.Fatalf("environment only: %+v, %v", tok, err)
	}
	// … and without either the error names what is missing and where it was looked for.
	delete(env, VarApprover)
	_, err = LoadTokens(missing, VarApplicant, VarApprover, getenv)
	if err == nil || !strings.Contains(err.Error(), VarApprover) || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), VarApplicant+" ") {
		t.Fatalf("missing approver: %v", err)
	}
}
