# Sourced by bench/web.sh and bench/pg_pages.sh: signs the `bench` editor
# in at $base (cookie jar in $dir), saves a view, and sets `cookie`,
# `claim` (the queue's first), `document` (the newest) and `published`
# (the latest public fact-check).
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }
jar="$dir/jar"
csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf_of)
curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf_token=$csrf&name=bench&password=bench-user-password" "$base/login"
cookie=$(awk '$6 == "claimdesk_session" { print "claimdesk_session=" $7 }' "$jar")
# Everything the queue shows switched on: a saved view (the navigation
# lists it), the plugins' dropdowns (built-in plugins loaded).
csrf=$(curl -s -H "Cookie: $cookie" "$base/queue" | csrf_of)
curl -s -o /dev/null -H "Cookie: $cookie" -d "csrf_token=$csrf&name=Hedges&query=kind%3Dhedge" "$base/views"
claim=$(curl -s -H "Cookie: $cookie" "$base/queue" | sed -n 's/.*data-href="\/claims\/\([0-9]*\)".*/\1/p' | head -1)
document=$(curl -s -H "Cookie: $cookie" "$base/documents" | sed -n 's/.*href="\/documents\/\([0-9]*\)".*/\1/p' | head -1)
published=$(curl -s "$base/fact-checks" | sed -n 's/.*href="\/fact-checks\/\([0-9]*\)".*/\1/p' | head -1)
