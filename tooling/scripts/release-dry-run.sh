#!/usr/bin/env bash
# A release rehearsal, from a clean clone of the committed HEAD, that publishes nothing:
#   1. clone into a temporary folder and install with the pinned pnpm;
#   2. add a throwaway changeset and run `changeset version` (the version pull request);
#   3. build every package, compare the action's committed dist with the rebuilt one and
#      run the release checks (tooling/scripts/release-checks.mjs);
#   4. `pnpm -r publish --dry-run --no-git-checks`;
#   5. pack every published package, check each tarball (no `workspace:` left, every
#      entry file present) and print its size;
#   6. install the CLI tarball into an empty folder with `npm install --offline` and an
#      empty npm cache (so it installs only if it needs nothing else), then run
#      `mcptrust --version` and `mcptrust scan --help` from there.
# Needs git, node, npm and the npm registry (pnpm install, and publish --dry-run asks the
# registry which versions exist). Usage: bash tooling/scripts/release-dry-run.sh
# KEEP=1 keeps the temporary folder. Exit 0 when every step passed.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
PNPM=(npx -y pnpm@10.34.8)
work="$(mktemp -d "${TMPDIR:-/tmp}/mcptrust-release-XXXXXX")"
if [ "${KEEP:-}" = 1 ]; then echo "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
step() { printf '\n== %s\n' "$*"; }

step "clone $(git -C "$repo" rev-parse --short HEAD) into $work/repo"
git clone --quiet --no-hardlinks "$repo" "$work/repo"
cd "$work/repo"
"${PNPM[@]}" install --frozen-lockfile --prefer-offline --reporter=silent

step "version-packages (changeset version + the action's dist, as the version pull request does; a throwaway patch changeset for mcptrust)"
printf -- '---\n"mcptrust": patch\n---\n\nrelease rehearsal\n' > .changeset/release-dry-run.md
"${PNPM[@]}" run version-packages > "$work/version.log" 2>&1 || { cat "$work/version.log"; exit 1; }
git status --short -- '*/package.json' '*/CHANGELOG.md' apps/action/dist | sed 's/^/  /'
test ! -e .changeset/release-dry-run.md
# The merged version pull request.
git add -A && git -c user.name=rehearsal -c user.email=rehearsal@invalid commit --quiet -m 'chore(release): version packages'

step "build every package"
"${PNPM[@]}" exec turbo run build --output-logs=errors-only > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
git diff --exit-code --stat -- apps/action/dist
if [ -n "$(git ls-files -- apps/action/dist)" ] || [ -f apps/action/action.yml ]; then
  extra="$(git ls-files --others -- apps/action/dist)"
  if [ -n "$extra" ]; then echo "the build wrote files under apps/action/dist that are not committed:"; echo "$extra"; exit 1; fi
  echo "apps/action/dist: the committed dist is the rebuilt one"
else
  echo "apps/action/dist: not committed and no apps/action/action.yml yet; nothing to compare"
fi
node tooling/scripts/release-checks.mjs

step "pnpm -r publish --dry-run --no-git-checks"
"${PNPM[@]}" -r publish --dry-run --no-git-checks > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
grep -E '^\+ ' "$work/publish.log" | sed 's/^/  /'
published="$(grep -cE '^\+ ' "$work/publish.log")"
expected="$(node tooling/scripts/release-checks.mjs --list | wc -l | tr -d ' ')"
[ "$published" = "$expected" ] || { echo "publish --dry-run published $published packages, $expected expected"; cat "$work/publish.log"; exit 1; }

step "pack and check every published package"
mkdir -p "$work/packs"
printf '  %-28s %10s %10s %6s\n' package tarball unpacked files
while IFS="$(printf '\t')" read -r spec dir; do
  tgz="$(cd "$dir" && "${PNPM[@]}" pack --pack-destination "$work/packs" 2>/dev/null | tail -n 1)"
  unpacked="$work/unpacked/$(basename "$tgz" .tgz)"
  mkdir -p "$unpacked"
  tar -xzf "$tgz" -C "$unpacked"
  node tooling/scripts/release-checks.mjs --packed "$unpacked/package" > /dev/null
  size="$(wc -c < "$tgz" | tr -d ' ')"
  usize="$(du -sk "$unpacked/package" | cut -f1)"
  count="$(find "$unpacked/package" -type f | wc -l | tr -d ' ')"
  printf '  %-28s %9sK %9sK %6s\n' "$spec" "$((size / 1024))" "$usize" "$count"
done < <(node tooling/scripts/release-checks.mjs --list)

step "install the CLI tarball offline into an empty folder and run it"
cli_version="$(node -p "require('./apps/cli/package.json').version")"
cli_tgz="$(cd apps/cli && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
mkdir -p "$work/empty" "$work/npm-cache" "$work/home"
(
  cd "$work/empty"
  export HOME="$work/home" npm_config_cache="$work/npm-cache" npm_config_update_notifier=false
  npm install --offline --no-audit --no-fund --loglevel=error "$work/$cli_tgz" > /dev/null
  others="$(ls -A node_modules | grep -vxE 'mcptrust|\.bin|\.package-lock\.json' || true)"
  [ -z "$others" ] || { echo "the CLI installed other packages: $others"; exit 1; }
  got="$(./node_modules/.bin/mcptrust --version)"
  echo "  mcptrust --version: $got"
  [ "$got" = "$cli_version" ] || { echo "expected $cli_version"; exit 1; }
  ./node_modules/.bin/mcptrust scan --help > "$work/scan-help.txt"
  echo "  mcptrust scan --help: $(head -n 1 "$work/scan-help.txt")"
)
echo "  $cli_tgz: $(($(wc -c < "$work/$cli_tgz") / 1024))K"

step "release rehearsal passed"
