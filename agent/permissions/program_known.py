"""Every option Harken knows for programs that can start other programs.

On these programs an option that is not listed here may be one that starts a program, so
it is judged as running code and only a rule that spells it out approves it (fail closed).
Short options are written "-x", long ones "--name"; ``known`` builds the set for
``program_args.unknown_options`` from a string of short letters and a string of names.
Sources: each program's --help and manual (GNU findutils 4.9, ripgrep 13-14, GNU sed 4.9,
gawk 5 and mawk, GNU sort 9, GNU tar 1.34, Info-ZIP zip 3.0, rsync 3.2, OpenSSH 9, less
590, man-db 2.11, GNU make 4.3, Vim 9, fd 8-9, ag 2.2).
"""

from __future__ import annotations

from agent.permissions.shell_words import names


def known(short: str, long: str = "") -> frozenset[str]:
    """The options named by ``short`` (letters) and ``long`` (whitespace-separated)."""
    return frozenset({f"-{letter}" for letter in short} | names(long))


RG = known(
    "ABCEHILMNPSTUVabcdefghijlmnopqrstuvwxz0.",
    """--after-context --auto-hybrid-regex --before-context --binary --block-buffered
    --byte-offset --case-sensitive --color --colors --column --context --context-separator
    --count --count-matches --crlf --debug --dfa-size-limit --encoding --engine
    --field-context-separator --field-match-separator --file --files --files-with-matches
    --files-without-match --fixed-strings --follow --glob --glob-case-insensitive --heading
    --help --hidden --iglob --ignore --ignore-case --ignore-dot --ignore-exclude --ignore-file
    --ignore-file-case-insensitive --ignore-files --ignore-global --ignore-messages
    --ignore-parent --ignore-vcs --include-zero --invert-match --json --line-buffered
    --line-number --line-regexp --max-columns --max-columns-preview --max-count --max-depth
    --maxdepth --max-filesize --messages --mmap --multiline --multiline-dotall --no-config
    --no-filename --no-require-git --null --null-data --one-file-system --only-matching
    --passthru --passthrough --path-separator --pcre2 --pcre2-unicode --pcre2-version --pre
    --pre-glob --pretty --print0 --quiet --regex-size-limit --regexp --replace --require-git
    --search-zip --smart-case --sort --sortr --sort-files --stats --text --threads --trace
    --trim --type --type-add --type-clear --type-list --type-not --unicode --unrestricted
    --version --vimgrep --with-filename --word-regexp --hyperlink-format --hostname-bin
    --generate --no-unicode --no-pcre2-unicode --no-ignore""",
)

AG = known(
    "ABCDGLQSUVWacfgilmnopqrstuvwz0",
    """--ackmate --ackmate-dir-filter --affinity --no-affinity --after --all-text
    --all-types --before --break --no-break --case-sensitive --color --no-color
    --color-line-number --color-match --color-path --column --no-column --context --count
    --debug --depth --file-search-regex --files-with-matches --files-without-matches
    --filename --no-filename --filename-pattern --fixed-strings --follow --group --no-group
    --heading --no-heading --help --hidden --ignore --ignore-case --ignore-dir --invert-match
    --line-numbers --list-file-types --literal --max-count --mmap --no-mmap --multiline
    --no-multiline --noheading --nobreak --nocolor --nofilename --nogroup --nomultiline
    --nonumbers --null --numbers --one-device --only-matching --pager --nopager --parallel
    --passthrough --path-to-ignore --print-all-files --print-long-lines --print0 --recurse
    --no-recurse --search-binary --search-files --search-zip --silent --skip-vcs-ignores
    --smart-case --stats --stats-only --unrestricted --version --vimgrep --width --word-regexp
    --workers --ignore-case --nopager""",
)

FD = known(
    "HIgFasLpdtecEjSxXlhVo0iqu",
    """--hidden --no-ignore --no-ignore-vcs --no-ignore-parent --unrestricted --case-sensitive
    --ignore-case --glob --regex --fixed-strings --and --absolute-path --list-details
    --follow --full-path --print0 --max-depth --min-depth --exact-depth --exclude --prune
    --type --extension --size --changed-within --changed-before --owner --format --exec
    --exec-batch --batch-size --ignore-file --color --threads --max-results --quiet
    --show-errors --base-directory --path-separator --search-path --strip-cwd-prefix
    --one-file-system --help --version --max-buffer-time --newer --older --no-require-git
    --hyperlink --ignore --ignore-vcs --require-git --no-hidden --no-follow
    --no-global-ignore-file""",
)

# find: primaries with no argument, and the ones that take one (program_search).
FIND_FLAGS = names(
    """-print -print0 -ls -prune -quit -true -false -empty -readable -writable -executable
    -nouser -nogroup -depth -d -mount -xdev -noleaf -follow -ignore_readdir_race
    -noignore_readdir_race -daystart -warn -nowarn -not -and -or -a -o -help --help
    -version --version -delete ( ) ! ,"""
)

SORT = known(
    "bdfgiMhnRrVcCkmosSTtuz",
    """--ignore-leading-blanks --dictionary-order --ignore-case --general-numeric-sort
    --ignore-nonprinting --month-sort --human-numeric-sort --numeric-sort --random-sort
    --random-source --reverse --sort --version-sort --batch-size --check --compress-program
    --debug --files0-from --key --merge --output --stable --buffer-size --field-separator
    --temporary-directory --parallel --unique --zero-terminated --help --version""",
)

SED = known(
    "nefilbErsuz",
    """--quiet --silent --debug --expression --file --follow-symlinks --in-place
    --line-length --binary --null-data --zero-terminated --posix --regexp-extended
    --separate --sandbox --unbuffered --help --version""",
)

AWK = known(
    "FvfeEilbcCdDghLMnNoOpPrsStVWy",
    """--field-separator --assign --file --source --exec --include --load --characters-as-bytes
    --traditional --copyright --dump-variables --debug --gen-pot --help --lint --bignum
    --use-lc-numeric --non-decimal-data --pretty-print --optimize --no-optimize --profile
    --posix --re-interval --sandbox --lint-old --version --csv""",
)

TAR = known(
    "ABCFGHIJKLMNOPRSTUVWXZabcdfghijklmnoprstuvwxz",
    """--absolute-names --acls --add-file --after-date --anchored --append --atime-preserve
    --auto-compress --backup --block-number --blocking-factor --bzip2 --catenate
    --check-device --check-links --checkpoint --checkpoint-action --clamp-mtime --compare
    --compress --concatenate --confirmation --create --delay-directory-restore --delete
    --dereference --diff --directory --exclude --exclude-backups --exclude-caches
    --exclude-caches-all --exclude-caches-under --exclude-from --exclude-ignore
    --exclude-ignore-recursive --exclude-tag --exclude-tag-all --exclude-tag-under
    --exclude-vcs --exclude-vcs-ignores --extract --file --files-from --force-local --format
    --full-time --get --group --group-map --gunzip --gzip --hard-dereference --help
    --hole-detection --ignore-case --ignore-command-error --ignore-failed-read --ignore-zeros
    --incremental --index-file --info-script --interactive --keep-directory-symlink
    --keep-newer-files --keep-old-files --label --level --list --listed-incremental --lzip
    --lzma --lzop --mode --mtime --multi-volume --new-volume-script --newer --newer-mtime
    --no-acls --no-anchored --no-auto-compress --no-check-device
    --no-delay-directory-restore --no-ignore-case --no-ignore-command-error --no-null
    --no-overwrite-dir --no-quote-chars --no-recursion --no-same-owner
    --no-same-permissions --no-seek --no-selinux --no-unquote --no-verbatim-files-from
    --no-wildcards --no-wildcards-match-slash --no-xattrs --null --numeric-owner --occurrence
    --old-archive --one-file-system --one-top-level --overwrite --overwrite-dir --owner
    --owner-map --pax-option --portability --posix --preserve-order --preserve-permissions
    --quote-chars --quoting-style --read-full-records --record-size --recursion
    --recursive-unlink --remove-files --restrict --rmt-command --rsh-command --same-order
    --same-owner --same-permissions --seek --selinux --show-defaults --show-omitted-dirs
    --show-snapshot-field-ranges --show-stored-names --show-transformed-names
    --skip-old-files --sort --sparse --sparse-version --starting-file --strip-components
    --suffix --tape-length --test-label --to-command --to-stdout --totals --touch
    --transform --uncompress --ungzip --unlink-first --unquote --update --usage
    --use-compress-program --utc --verbatim-files-from --verbose --verify --version
    --volno-file --warning --wildcards --wildcards-match-slash --xattrs --xattrs-exclude
    --xattrs-include --xform --xz --zstd""",
)

# zip: single letters may be combined (-r9q); the longer ones stand alone.
ZIP_LETTERS = "0123456789@$!ADFJLRSTUXZbcdefghijklmnopqrstuvwxyz"
ZIP_WORDS = names(
    """-AC -AS -FF -FI -FS -MM -TT -UN -DF -RE -ST -ci -db -dc -dd -df -dg -ds -du -dv -ic
    -la -lf -li -ll -lu -nw -sb -sc -sd -sf -so -sp -su -sv -tt -ws -FS -Z -v -h2
    --help --version --license --adjust-sfx --append --archive-clear --archive-set
    --binary --copy --delete --difference --display-bytes --display-counts --display-dots
    --display-globaldots --display-usize --display-volume --dif --encrypt --entries
    --exclude --filesync --fix --fixfix --freshen --grow --include --junk-paths
    --junk-sfx --latin1 --log-append --log-file --log-info --move --must-match --no-dir-entries
    --no-extra --no-wild --out --output-file --password --quiet --recurse-paths
    --recurse-patterns --split-size --split-bell --split-pause --split-verbose --symlinks
    --temp-path --test --to-crlf --from-crlf --unzip-command --update --verbose --why
    --ws --wild-stop-dirs --sf --show-files --sc --show-command --so --show-options
    --shortopts --longopt --longoption --compression-method --temp-dir --names-stdin
    --unicode"""
)

RSYNC = known(
    "vqcarRbuldLkKHpEAXogDtUNOJSnWxCyTmMPhz0iIsB64e8fF",
    """--verbose --info --debug --stderr --quiet --no-motd --checksum --archive --no-OPTION
    --recursive --relative --no-implied-dirs --backup --backup-dir --suffix --update
    --inplace --append --append-verify --dirs --old-dirs --mkpath --links --copy-links
    --copy-unsafe-links --safe-links --munge-links --copy-dirlinks --keep-dirlinks
    --hard-links --perms --executability --chmod --acls --xattrs --owner --group --devices
    --copy-devices --write-devices --specials --times --atimes --open-noatime --crtimes
    --omit-dir-times --omit-link-times --super --fake-super --sparse --preallocate
    --dry-run --whole-file --checksum-choice --one-file-system --block-size --rsh
    --rsync-path --existing --ignore-existing --remove-source-files --del --delete
    --delete-before --delete-during --delete-delay --delete-after --delete-excluded
    --ignore-missing-args --delete-missing-args --ignore-errors --force --max-delete
    --max-size --min-size --max-alloc --partial --partial-dir --delay-updates
    --prune-empty-dirs --numeric-ids --usermap --groupmap --chown --timeout --contimeout
    --ignore-times --size-only --modify-window --temp-dir --fuzzy --compare-dest
    --copy-dest --link-dest --compress --compress-choice --compress-level --skip-compress
    --cvs-exclude --filter --exclude --exclude-from --include --include-from --files-from
    --from0 --old-args --secluded-args --protect-args --trust-sender --copy-as --address
    --port --sockopts --blocking-io --outbuf --itemize-changes --remote-option
    --out-format --log-file --log-file-format --password-file --early-input --list-only
    --bwlimit --stop-after --stop-at --fsync --write-batch --only-write-batch --read-batch
    --protocol --iconv --ipv4 --ipv6 --version --help --human-readable --progress --stats
    --8-bit-output --no-perms --no-owner --no-group --no-times --no-recursive --no-links
    --no-specials --no-devices --no-D --no-inc-recursive --no-whole-file --no-compress""",
)

SSH = known("46AaCfGgKkMNnqsTtVvXxYyBbcDEeFIiJLlmOopQRSWw")
SCP = known("346ABCOpqRrTvcDFiJlPoSX")

LESS = known(
    "#ABDEFGIJKLMNOPQRSTUVWXabcdefghijkmnopqrstuwxyz",
    """--HILITE-SEARCH --HILITE-UNREAD --IGNORE-CASE --LINE-NUMBERS --LOG-FILE --LONG-PROMPT
    --QUIET --QUIT-AT-EOF --RAW-CONTROL-CHARS --SEARCH-SKIP-SCREEN --SILENT
    --UNDERLINE-SPECIAL --auto-buffers --buffers --chop-long-lines --clear-screen --color
    --dumb --file-size --follow-name --force --help --hilite-search --hilite-unread
    --ignore-case --incsearch --jump-target --lesskey-file --lesskey-src --lesskey-content
    --line-num-width --line-numbers --log-file --long-prompt --max-back-scroll
    --max-forw-scroll --mouse --no-histdups --no-init --no-keypad --no-lessopen --pattern
    --prompt --quiet --quit-at-eof --quit-if-one-screen --quit-on-intr --quotes
    --raw-control-chars --rscroll --save-marks --search-skip-screen --shift --silent
    --squeeze-blank-lines --status-col-width --status-column --tabs --tag --tag-file
    --tilde --underline-special --use-backslash --use-color --version --wheel-lines
    --window --exit-follow-on-close --header --no-number-headers --no-search-headers
    --no-vbell --redraw-on-quit --search-options --show-preproc-errors --wordwrap
    --proc-backspace --proc-tab --proc-return --intr --old-bot""",
)

MAN = known(
    "7CDEHIKLMPRSTVWXZacdefhiklmprstuw",
    """--all --apropos --ascii --catman --config-file --debug --default --ditroff
    --encoding --extension --global-apropos --gxditview --help --html --ignore-case
    --local-file --locale --location --location-cat --manpath --match-case --names-only
    --nh --nj --no-hyphenation --no-justification --no-subpages --pager --path
    --preprocessor --prompt --recode --regex --sections --systems --troff --troff-device
    --update --usage --version --warnings --whatis --where --where-cat --wildcard""",
)

MAKE = known(
    "BCEILORSWbdefhijklmnopqrstvw",
    """--always-make --assume-new --assume-old --check-symlink-times --debug --directory
    --dry-run --environment-overrides --eval --file --help --ignore-errors --include-dir
    --jobs --just-print --keep-going --load-average --makefile --max-load --new-file
    --no-builtin-rules --no-builtin-variables --no-keep-going --no-print-directory
    --no-silent --old-file --output-sync --print-data-base --print-directory --question
    --quiet --recon --silent --stop --touch --trace --version --warn-undefined-variables
    --what-if --shuffle --jobserver-style""",
)

SPLIT = known(
    "abCdelntuxs",
    """--suffix-length --additional-suffix --bytes --line-bytes --numeric-suffixes
    --hex-suffixes --elide-empty-files --filter --lines --number --separator --unbuffered
    --verbose --help --version""",
)
