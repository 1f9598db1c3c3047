package policy

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// seedsDir holds the regulation texts; the repository's parent folder has shared/.
const seedsDir = "../../../shared/seeds"

// seed is one regulation text, normalised for matching: simplified characters, ASCII digits,
// no white space.
type seed struct {
	file     string
	text     string
	articles map[int]string // article number → its text
	// paragraphs of the articles whose lines are whole paragraphs (款); articles whose lines
	// break mid-sentence, as in texts taken from PDF pages, are absent and checked loosely.
	paragraphs map[int][]string
}

// traditional maps the traditional characters that occur in titles and in the phrases the test
// looks for (第X條, N個工作日, 個月) to simplified ones; the 宁夏 text exists in both.
var traditional = strings.NewReplacer(
	"條", "条", "個", "个", "寧", "宁", "區", "区", "務", "务", "數", "数", "據", "据",
	"資", "资", "辦", "办", "讀", "读", "縣", "县", "鄉", "乡", "實", "实",
)

func normaliseText(s string) string {
	s = traditional.Replace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// articleHead matches a line that starts an article, after markdown emphasis and indentation.
var articleHead = regexp.MustCompile(`^[*\s\p{Zs}]*第([一二三四五六七八九十百零]+)条`)

// noTexts skips a test that needs the regulation texts, saying why; under CI=true it fails:
// CI checks the citations, so texts it cannot find are an error of its set-up.
func noTexts(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s: the citations must be checked against the regulation texts in CI; "+
			"check out the project's shared/ folder (shared/seeds) next to the repository", why)
	}
	t.Skipf("SKIPPED: %s (the repository's parent holds shared/seeds): citations are not checked against them", why)
}

func loadSeeds(t *testing.T) []seed {
	t.Helper()
	entries, err := os.ReadDir(seedsDir)
	if errors.Is(err, fs.ErrNotExist) {
		noTexts(t, "regulation texts not found at "+seedsDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var seeds []seed
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".txt" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(seedsDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, splitArticles(t, e.Name(), string(raw)))
	}
	if len(seeds) == 0 {
		noTexts(t, "no regulation texts in "+seedsDir)
	}
	return seeds
}

// splitArticles cuts a text into its articles: an article runs from its heading line to the
// next one, or to an appended interpretation (解读).
func splitArticles(t *testing.T, file, raw string) seed {
	t.Helper()
	s := seed{file: file, text: normaliseText(raw), articles: map[int]string{}, paragraphs: map[int][]string{}}
	lines := map[int][]string{}
	current, last := 0, 0
	for _, line := range strings.Split(traditional.Replace(raw), "\n") {
		if strings.TrimSpace(line) == "解读" {
			current = 0
			continue
		}
		if chapterHead.MatchString(line) {
			continue
		}
		if m := articleHead.FindStringSubmatch(line); m != nil {
			n := chineseToInt(m[1])
			// Numbering without gaps shows that no cross-reference was taken for a heading.
			if n != last+1 {
				t.Fatalf("%s: article %d follows %d: the text was not split as expected", file, n, last)
			}
			current, last = n, n
		}
		if current == 0 {
			continue
		}
		if l := normaliseText(line); l != "" {
			s.articles[current] += l
			lines[current] = append(lines[current], l)
		}
	}
	for n, ls := range lines {
		var paras []string
		for _, l := range ls {
			if r, _ := utf8.DecodeLastRuneInString(l); !strings.ContainsRune("。；：", r) {
				paras = nil
				break
			}
			// Items （一）（二） belong to the paragraph that lists them.
			if strings.HasPrefix(l, "（") && len(paras) > 0 {
				paras[len(paras)-1] += l
				continue
			}
			paras = append(paras, l)
		}
		if paras != nil {
			s.paragraphs[n] = paras
		}
	}
	return s
}

// chapterHead matches chapter headings, which stand between articles and belong to none.
var chapterHead = regexp.MustCompile(`^[#*\s\p{Zs}]*第[一二三四五六七八九十]+章`)

var chineseDigits = map[rune]int{'零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseToInt reads 一 … 九十九 and 一百 … 一百九十九.
func chineseToInt(s string) int {
	total, digit := 0, 0
	for _, r := range s {
		switch r {
		case '十':
			if digit == 0 {
				digit = 1
			}
			total += digit * 10
			digit = 0
		case '百':
			total += digit * 100
			digit = 0
		default:
			digit = chineseDigits[r]
		}
	}
	return total + digit
}

// intToChinese writes 1 … 99 as the regulations do: 五, 十, 十五, 二十.
func intToChinese(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n-10]
	default:
		return digits[n/10] + "十" + digits[n%10]
	}
}

func TestChineseNumerals(t *testing.T) {
	for n, s := range map[int]string{1: "一", 5: "五", 10: "十", 15: "十五", 20: "二十", 23: "二十三", 65: "六十五", 74: "七十四"} {
		if got := intToChinese(n); got != s {
			t.Errorf("intToChinese(%d) = %s", n, got)
		}
		if got := chineseToInt(s); got != n {
			t.Errorf("chineseToInt(%s) = %d", s, got)
		}
	}
	if chineseToInt("一百零五") != 105 {
		t.Error("一百零五")
	}
}

// statesNumber reports whether an article states "N<unit>" in Arabic or Chinese numerals.
func statesNumber(article string, n int, unit string) bool {
	return strings.Contains(article, strconv.Itoa(n)+unit) || strings.Contains(article, intToChinese(n)+unit)
}

// seedsOf finds the texts of a document: those containing its title; for a text that lost its
// title line, the one text naming the place the title starts with (乌海市, 辽宁省).
func seedsOf(t *testing.T, seeds []seed, title string) []seed {
	t.Helper()
	var found []seed
	want := normaliseText(title)
	for _, s := range seeds {
		if strings.Contains(s.text, want) {
			found = append(found, s)
		}
	}
	if len(found) > 0 {
		return found
	}
	place, _, ok := strings.Cut(want, "政务")
	if !ok || place == "" {
		return nil
	}
	for _, s := range seeds {
		if strings.Contains(s.text, place) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Errorf("document %q: no text carries the title, and %d texts name %s", title, len(found), place)
		return nil
	}
	t.Logf("document %q: title not in any text; identified %s by the place name %s", title, found[0].file, place)
	return found
}

// TestCitationsAgainstRegulationTexts checks every citation of every embedded profile against
// the regulation texts: the document's text is found, the article exists, and a number of
// working days (or months) the citation states is in that article.
func TestCitationsAgainstRegulationTexts(t *testing.T) {
	seeds := loadSeeds(t)
	profiles, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	checked, byParagraph := 0, 0
	for _, p := range profiles {
		if p.ID == nationalProfile {
			continue // the 条例's text is not a seed: TestNationalProfileAgainstText checks it
		}
		texts := map[string][]seed{}
		for _, d := range p.Documents {
			texts[d.Title] = seedsOf(t, seeds, d.Title)
			if len(texts[d.Title]) == 0 {
				t.Errorf("%s: no regulation text found for %q", p.ID, d.Title)
			}
			for _, s := range texts[d.Title] {
				used[s.file] = true
			}
		}
		for _, pc := range p.Citations() {
			c := pc.Citation
			n := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条"))
			for _, s := range texts[c.Document] {
				art, ok := s.articles[n]
				if !ok {
					t.Errorf("%s %s: %s: %s has no %s", p.ID, pc.Path, c, s.file, c.Article)
					continue
				}
				checked++
				if paras, ok := s.paragraphs[n]; ok && c.Paragraph != "" {
					k := chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Paragraph, "第"), "款"))
					if k > len(paras) {
						t.Errorf("%s %s: %s: %s %s has %d paragraphs", p.ID, pc.Path, c, s.file, c.Article, len(paras))
						continue
					}
					// The number must be in the cited paragraph, not only somewhere in the article.
					art = paras[k-1]
					byParagraph++
				}
				for _, wd := range []int{c.Workdays, c.ExtensionWorkdays} {
					if wd > 0 && !statesNumber(art, wd, "个工作日") {
						t.Errorf("%s %s: %s: %s %s does not say %d个工作日 (or %s个工作日)", p.ID, pc.Path, c, s.file, c.Article, wd, intToChinese(wd))
					}
				}
				// An item citation (a violation of 辽宁 第二十六条（三）, say) must name an item the
				// article lists. The traditional 宁夏 text writes items with ASCII brackets.
				if c.Item != "" && !strings.Contains(strings.NewReplacer("(", "（", ")", "）").Replace(art), c.Item) {
					t.Errorf("%s %s: %s: %s %s has no item %s", p.ID, pc.Path, c, s.file, c.Article, c.Item)
				}
				if c.Months > 0 && !statesNumber(art, c.Months, "个月") {
					t.Errorf("%s %s: %s: %s %s does not say %d个月", p.ID, pc.Path, c, s.file, c.Article, c.Months)
				}
			}
		}
	}
	for _, s := range seeds {
		if !used[s.file] {
			t.Errorf("regulation text %s is not the document of any profile", s.file)
		}
	}
	t.Logf("%d citations checked against %d texts, %d of them down to the paragraph", checked, len(seeds), byParagraph)
}

// TestStatedNumbersAreCited is the converse: every "N个工作日" an article states is cited by the
// profile of its jurisdiction with that number, so no statutory deadline was overlooked.
func TestStatedNumbersAreCited(t *testing.T) {
	seeds := loadSeeds(t)
	profiles, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	number := regexp.MustCompile(`(\d+|[一二三四五六七八九十]+)个工作日`)
	for _, p := range profiles {
		if p.ID == nationalProfile {
			continue // TestNationalProfileAgainstText
		}
		for _, d := range p.Documents {
			for _, s := range seedsOf(t, seeds, d.Title) {
				for n, art := range s.articles {
					for _, m := range number.FindAllStringSubmatch(art, -1) {
						wd, err := strconv.Atoi(m[1])
						if err != nil {
							wd = chineseToInt(m[1])
						}
						found := false
						for _, pc := range p.Citations() {
							c := pc.Citation
							if c.Document == d.Title && chineseToInt(strings.TrimSuffix(strings.TrimPrefix(c.Article, "第"), "条")) == n && (c.Workdays == wd || c.ExtensionWorkdays == wd) {
								found = true
							}
						}
						if !found {
							t.Errorf("%s: %s 第%s条 states %d个工作日, which no citation of the profile carries", p.ID, s.file, intToChinese(n), wd)
						}
					}
				}
			}
		}
	}
}

// Where the regulation texts are not found — the test run from another folder, so that
// seedsDir leads nowhere — the citation test skips and says so, and fails under CI=true.
func TestCitationsWithoutTexts(t *testing.T) {
	for _, tc := range []struct {
		ci       string
		fails    bool
		contains []string
	}{
		{ci: "", contains: []string{"--- SKIP: TestCitationsAgainstRegulationTexts", "SKIPPED: regulation texts not found"}},
		{ci: "true", fails: true, contains: []string{"--- FAIL: TestCitationsAgainstRegulationTexts", "CI=true and regulation texts not found", "shared/seeds"}},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCitationsAgainstRegulationTexts$", "-test.v", "-test.count=1")
			// Deep enough that seedsDir stays inside the temporary folder.
			cmd.Dir = filepath.Join(t.TempDir(), "a", "b", "c")
			if err := os.MkdirAll(cmd.Dir, 0o750); err != nil {
				t.Fatal(err)
			}
			cmd.Env = append(os.Environ(), "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fails {
				t.Fatalf("child failed = %v (%v), want %v:\n%s", failed, err, tc.fails, out)
			}
			for _, s := range tc.contains {
				if !strings.Contains(string(out), s) {
					t.Errorf("child output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}
