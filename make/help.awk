# Prints the documented targets of the makefiles given as arguments, for `make help`.
#   ##@ Heading          starts a group
#   target: deps ## text documents a target
# Plain POSIX awk: runs with gawk, mawk and BSD awk. Set colour=1 for ANSI colours.
BEGIN { count = 0; groups = 0; width = 0 }
FNR == 1 { group = "" }
/^##@/ {
	group = $0
	sub(/^##@[ \t]*/, "", group)
	next
}
/^[A-Za-z0-9_.\/%-]+[ \t]*::?([^:=]|$).*##[ \t]/ {
	target = $0
	sub(/[ \t]*:.*/, "", target)
	if (target in seen) next
	seen[target] = 1
	text = $0
	sub(/^[^#]*##[ \t]*/, "", text)
	name = (group == "") ? "Project" : group
	if (!(name in order)) { groups++; order[name] = groups; title[groups] = name }
	count++
	tgroup[count] = order[name]; tname[count] = target; ttext[count] = text
	if (length(target) > width) width = length(target)
}
END {
	if (colour) { bold = "\033[1m"; cyan = "\033[36m"; reset = "\033[0m" }
	printf "Usage: make %sTARGET%s\n", cyan, reset
	for (g = 1; g <= groups; g++) {
		printf "\n%s%s%s\n", bold, title[g], reset
		for (i = 1; i <= count; i++)
			if (tgroup[i] == g) printf "  %s%-" width "s%s  %s\n", cyan, tname[i], reset, ttext[i]
	}
}
