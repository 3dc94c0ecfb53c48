# Turns .schema files into a C array of {name, text} (schema/internal.h):
#   awk -v strip=SRCDIR/ -f embed.awk FILE...
# Each line becomes a C string literal; the file name loses the prefix
# "strip" so that error messages name the file as the source tree does.
BEGIN {
	print "/* Generated from the .schema files by embed.awk: do not edit. */"
	print "#include \"config.h\""
	print "#include \"apiserver/schema/internal.h\""
	print ""
	print "const k8c_schema_source_t k8c_schema_sources[] = {"
	open = 0
}
FNR == 1 {
	if (open)
		print "\t\"\" },"
	name = FILENAME
	if (strip != "" && index(name, strip) == 1)
		name = substr(name, length(strip) + 1)
	print "\t{ \"" name "\","
	open = 1
}
{
	line = $0
	gsub(/\\/, "\\\\", line)
	gsub(/"/, "\\\"", line)
	gsub(/\t/, "\\t", line)
	print "\t  \"" line "\\n\""
}
END {
	if (open)
		print "\t\"\" },"
	print "\t{ 0, 0 },"
	print "};"
}
