# bash completion for sekishoctl(8)                          -*- shell-script -*-
# Installed as share/bash-completion/completions/sekishoctl. Works with the
# bash-completion package (it uses _init_completion and _filedir when they are
# there) and without it.
#
#   sekishoctl [-c FILE] [--json] COMMAND [ARGS]
#
# Item ids (show, release, approve, reject, hold, requeue) come from the daemon:
# `sekishoctl --json list --state staged|held`, quietly; nothing on any failure.

# COMPREPLY=($(compgen ...)) is the completion idiom; compgen -W expands its own
# word list, hence the single quotes.
# shellcheck disable=SC2207,SC2016

# The ids of the items in state $1, asked of the daemon named by the -c option
# given on the command line (if any). One id per line; nothing on failure.
# Returns 1 when the daemon did not answer in time (do not ask again).
_sekishoctl_ids()
{
    local state=$1 out rc runner=()
    command -v timeout >/dev/null 2>&1 && runner=(timeout 2)
    out=$("${runner[@]}" "${_sekishoctl_cmd:-sekishoctl}" "${_sekishoctl_config[@]}" \
        --json list --state "$state" </dev/null 2>/dev/null)
    rc=$?
    ((rc == 124)) && return 1
    ((rc == 0)) || return 0
    sed -n 's/"id"[[:space:]]*:[[:space:]]*"\([0-9A-Za-z-]*\)".*/\n\1/; s/.*\n//p' \
        <<<"$out" 2>/dev/null
    return 0
}

# Files (or, with a pattern, files matching it and directories) into COMPREPLY.
_sekishoctl_files()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir "$@"
        return
    fi
    local IFS=$'\n' pattern=${1:-}
    if [[ -n $pattern ]]; then
        local extglob_was_off=false
        shopt -q extglob || { extglob_was_off=true; shopt -s extglob; }
        COMPREPLY=($(compgen -d -- "$cur"; compgen -f -X "!*.@($pattern)" -- "$cur"))
        $extglob_was_off && shopt -u extglob
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    compopt -o filenames 2>/dev/null
}

_sekishoctl()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        # --opt=value as one word (bash without bash-completion splits at '=').
        if [[ $cur == = && $prev == --* ]]; then
            cur=""
        elif [[ $prev == = && $cword -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]}
        fi
    fi
    local _sekishoctl_cmd=${words[0]}
    local -a _sekishoctl_config=()

    # Global options up to the first command word.
    local i=1 command="" ci=0
    while ((i < cword)); do
        case ${words[i]} in
            -c | --config)
                if [[ ${words[i + 1]} == = ]]; then # --config=FILE split by bash
                    _sekishoctl_config=(-c "${words[i + 2]}")
                    ((i += 3))
                else
                    _sekishoctl_config=(-c "${words[i + 1]}")
                    ((i += 2))
                fi
                continue
                ;;
            --config=*) _sekishoctl_config=(-c "${words[i]#--config=}") ;;
            -* | =) ;;
            *)
                command=${words[i]}
                ci=$i
                break
                ;;
        esac
        ((i++))
    done

    if [[ -z $command ]]; then
        case $prev in
            -c | --config)
                _sekishoctl_files toml
                return
                ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-c --config --json --check-config --version --help' \
                -- "$cur"))
        else
            COMPREPLY=($(compgen -W 'status list show release approve reject hold requeue
                submit inspect audit certs keys mynaportal' -- "$cur"))
        fi
        return
    fi

    # Subcommand words.
    local sub="" si=$ci
    case $command in
        audit | certs | keys | mynaportal)
            if ((cword == ci + 1)); then
                case $command in
                    audit) COMPREPLY=($(compgen -W 'verify export' -- "$cur")) ;;
                    certs) COMPREPLY=($(compgen -W 'list rotate rollback' -- "$cur")) ;;
                    keys) COMPREPLY=($(compgen -W 'rotate' -- "$cur")) ;;
                    mynaportal) COMPREPLY=($(compgen -W 'change-password' -- "$cur")) ;;
                esac
                return
            fi
            sub=${words[ci + 1]}
            si=$((ci + 1))
            ;;
    esac

    # Option values.
    case $prev in
        --state)
            COMPREPLY=($(compgen -W 'fetched inspecting scanning staged held released sent
                rejected duplicate corrupt purged' -- "$cur"))
            return
            ;;
        --source)
            COMPREPLY=($(compgen -W 'mynaportal chukan operator' -- "$cur"))
            return
            ;;
        --use)
            COMPREPLY=($(compgen -W 'mynaportal-client chukan-client' -- "$cur"))
            return
            ;;
        --auth-method)
            COMPREPLY=($(compgen -W 'certificate gbizid' -- "$cur"))
            return
            ;;
        --kind)
            COMPREPLY=($(compgen -W 'SHIKAKU-REG-REQ HONNIN-REQ SHOKAI-REQ' -- "$cur"))
            return
            ;;
        --cert | --chain)
            _sekishoctl_files 'pem|crt|cer'
            return
            ;;
        --key)
            _sekishoctl_files 'pem|key'
            return
            ;;
        -c | --config)
            _sekishoctl_files toml
            return
            ;;
        --current-password-file)
            _sekishoctl_files
            return
            ;;
        --reason | --since | --until | --wait)
            return # free text, a time, seconds
            ;;
    esac
    $split && return

    # Options and arguments per command.
    # Every command takes -c and --help after its words; those of the daemon and
    # inspect also --json.
    local opts="-c --config --json --help" states=""
    case $command in
        list) opts+=' --state --source' ;;
        show)
            opts+=' --content'
            states='staged held'
            ;;
        release | approve) states='staged held' ;;
        reject)
            opts+=' --reason'
            states='staged held'
            ;;
        hold) states='staged' ;;
        requeue) states='held staged' ;;
        inspect) opts+=' --auth-method' ;;
        submit) opts+=' --kind --no-wait --wait' ;;
        audit) [[ $sub == export ]] && opts+=' --since --until' ;;
        certs)
            case $sub in
                rotate) opts+=' --use --cert --key --chain' ;;
                rollback) opts+=' --use' ;;
            esac
            ;;
        mynaportal) opts='-c --config --current-password-file --help' ;;
    esac

    # Ids given so far (words that are neither options nor option values); a -c after
    # the command words names the configuration too. ALL and - stand alone.
    local n=0 alone=false w given=" "
    for ((i = si + 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            -c | --config)
                if [[ ${words[i + 1]} == = ]]; then ((i++)); fi
                ((i++))
                _sekishoctl_config=(-c "${words[i]}")
                ;;
            --config=*) _sekishoctl_config=(-c "${w#--config=}") ;;
            --reason | --state | --source | --since | --until | --use | --cert | --key | \
                --chain | --auth-method | --current-password-file | --kind | --wait)
                if [[ ${words[i + 1]} == = ]]; then ((i++)); fi
                ((i++))
                ;;
            ALL | -) alone=true ;;
            -*) ;;
            *)
                ((n++))
                given+="$w "
                ;;
        esac
    done

    if [[ $cur == -* ]]; then
        # Options already given are not offered again.
        local o used=" "
        for ((i = si + 1; i < cword; i++)); do used+="${words[i]} "; done
        local -a left=()
        for o in $opts; do
            [[ $used == *" $o "* ]] || left+=("$o")
        done
        # A lone "-" may also mean: ids from standard input.
        [[ $cur == - && -n $states && $command != show && $alone == false ]] && ((n == 0)) &&
            left+=(-)
        COMPREPLY=($(compgen -W '${left[*]}' -- "$cur"))
        return
    fi

    if [[ $command == inspect ]]; then
        _sekishoctl_files zip
        return
    fi
    if [[ $command == submit ]]; then
        _sekishoctl_files csv
        return
    fi
    [[ -n $states && $alone == false ]] || return
    local s id ids words_list=""
    for s in $states; do
        ids=$(_sekishoctl_ids "$s") || break
        for id in $ids; do
            [[ $given == *" $id "* ]] || words_list+=" $id"
        done
    done
    if ((n == 0)); then
        case $command in
            release | reject | hold | requeue) words_list+=" ALL -" ;;
            approve) words_list+=" -" ;;
        esac
    fi
    COMPREPLY=($(compgen -W '$words_list' -- "$cur"))
}
complete -F _sekishoctl sekishoctl

# ex: filetype=sh
