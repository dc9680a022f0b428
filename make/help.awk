# Prints the documented targets of the makefiles given as arguments, for `make help`.
#   ##@ Heading          starts a group
#   target: deps ## text documents a target
# Plain POSIX awk: runs with gawk, mawk and BSD awk. Set colour=1 for ANSI colours.
# Before devkit is installed, the bootstrap block of a project's Makefile runs it with
# ready set to the targets the block runs itself ("help sync"): its "#> " lines, copies of
# devkit's, are listed too, and every other target of devkit's is marked as needing devkit.
BEGIN { count = 0; groups = 0; width = 0; split(ready, names, " "); for (i in names) runs[names[i]] = 1 }
FNR == 1 { group = "" }
{ devkits = 0 }
ready != "" && /^#> / {
	$0 = substr($0, 4)
	devkits = 1
}
/^##@/ {
	heading = $0
	sub(/^##@[ \t]*/, "", heading)
	if (devkits) devkits_group = heading
	else group = heading
	next
}
/^[A-Za-z0-9_.\/%-]+[ \t]*::?([^:=]|$).*##[ \t]/ {
	target = $0
	sub(/[ \t]*:.*/, "", target)
	if (target in seen) next
	seen[target] = 1
	text = $0
	sub(/^[^#]*##[ \t]*/, "", text)
	name = devkits ? devkits_group : group
	if (name == "") name = "Project"
	if (!(name in order)) { groups++; order[name] = groups; title[groups] = name }
	count++
	tgroup[count] = order[name]; tname[count] = target; ttext[count] = text
	tmark[count] = (devkits && !(target in runs)) ? "* " : (ready != "" ? "  " : "")
	if (length(target) > width) width = length(target)
}
END {
	if (colour) { bold = "\033[1m"; cyan = "\033[36m"; reset = "\033[0m" }
	printf "Usage: make %sTARGET%s\n", cyan, reset
	if (ready != "") {
		print "devkit is not installed yet: `make sync` installs it, with the organisation's tools."
		print "A target marked * needs devkit: `make TARGET` runs `make sync` first, then TARGET."
	}
	for (g = 1; g <= groups; g++) {
		printf "\n%s%s%s\n", bold, title[g], reset
		for (i = 1; i <= count; i++)
			if (tgroup[i] == g) printf "  %s%-" width "s%s  %s%s\n", cyan, tname[i], reset, tmark[i], ttext[i]
	}
}
