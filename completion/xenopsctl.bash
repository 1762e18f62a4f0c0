# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for xenopsctl: commands and options come from xenopsctl's
# own --help, VM, device and task ids from the daemon (through xenopsctl,
# with the --socket given on the command line).

# The ids of a list command ("vm list", "vbd list VM"...), from --json output.
_xenopsctl_ids()
{
	local out
	out=$("${_xo_ctl[@]}" --json --timeout 2 "$@" 2>/dev/null) || return
	out=${out#*[}
	out=${out%]*}
	out=${out//\"/}
	printf '%s\n' ${out//,/ }
}

_xenopsctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	# Global options before the command; the socket is kept for our calls.
	_xo_ctl=("${words[0]}")
	local i=1
	while [ "$i" -lt "$cword" ]; do
		case "${words[i]}" in
		--socket | --timeout)
			[ "${words[i]}" = --socket ] && _xo_ctl+=(--socket "${words[i + 1]}")
			i=$((i + 2))
			;;
		--json | --no-wait) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	case "$prev" in
	--socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--timeout) return ;;
	esac

	local help
	if [ "$i" -ge "$cword" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--socket --json --timeout --no-wait --help' -- "$cur"))
		else
			help=$("${_xo_ctl[@]}" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort -u)
			COMPREPLY=($(compgen -W "$help" -- "$cur"))
		fi
		return
	fi

	# The command: one word, or a group and a subcommand.
	local cmd=("${words[i]}")
	local usage
	usage=$("${_xo_ctl[@]}" "${words[i]}" --help 2>/dev/null)
	if [[ $usage == "Usage: xenopsctl ${words[i]} COMMAND"* ]]; then
		if [ $((i + 1)) -ge "$cword" ]; then
			help=$(printf '%s\n' "$usage" | awk 'NR > 1 { print $2 }')
			COMPREPLY=($(compgen -W "$help" -- "$cur"))
			return
		fi
		cmd+=("${words[i + 1]}")
		i=$((i + 2))
		usage=$("${_xo_ctl[@]}" "${cmd[@]}" --help 2>/dev/null) || return
	else
		# A command that is a group too ("host", "host dmesg"): its --help
		# ends with the group's usage; the subcommands go beside its options.
		local sub
		sub=$(printf '%s\n' "$usage" |
			awk -v g="${words[i]}" '$0 ~ "^Usage: xenopsctl " g " COMMAND" { on = 1; next } on { print $2 }')
		if [ -n "$sub" ] && [ $((i + 1)) -eq "$cword" ] && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "$sub" -- "$cur"))
			return
		fi
		if [ -n "$sub" ] && [ $((i + 1)) -lt "$cword" ] &&
			[[ $'\n'$sub$'\n' == *$'\n'${words[i + 1]}$'\n'* ]]; then
			cmd+=("${words[i + 1]}")
			i=$((i + 2))
			usage=$("${_xo_ctl[@]}" "${cmd[@]}" --help 2>/dev/null) || return
		else
			i=$((i + 1))
		fi
	fi

	# Options of the command, and those that take a value.
	local opts valued
	opts=$(printf '%s\n' "$usage" | sed -n 's/^  \(--[a-z-]*\).*/\1/p')
	valued=$(printf '%s\n' "$usage" | sed -n 's/^  \(--[a-z-]*\) VALUE.*/\1/p')
	if [[ $'\n'$valued$'\n' == *$'\n'$prev$'\n'* ]]; then
		case "$prev" in
		--type) COMPREPLY=($(compgen -W 'pv pvh' -- "$cur")) ;;
		--on-shutdown | --on-reboot | --on-crash)
			COMPREPLY=($(compgen -W 'destroy restart preserve' -- "$cur")) ;;
		--mode) COMPREPLY=($(compgen -W 'rw ro' -- "$cur")) ;;
		--kind) COMPREPLY=($(compgen -W 'disk cdrom' -- "$cur")) ;;
		--unpluggable | --carrier | --permissive | --msitranslate | --power-mgmt)
			COMPREPLY=($(compgen -W 'on off' -- "$cur")) ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	# Which positional argument is being typed, and its name in the synopsis.
	local pos=() n=0 w
	while [ "$i" -lt "$cword" ]; do
		w=${words[i]}
		if [[ $'\n'$valued$'\n' == *$'\n'$w$'\n'* ]]; then
			i=$((i + 2))
			continue
		fi
		[[ $w == -* ]] || pos+=("$w")
		i=$((i + 1))
	done
	n=${#pos[@]}
	local synopsis names
	synopsis=$(printf '%s\n' "$usage" | head -1)
	synopsis=${synopsis#*"${cmd[*]}"}
	names=($(printf '%s\n' "$synopsis" | tr -d '[]' | sed 's/OPTIONS//'))
	case "${names[n]:-}" in
	VM)
		COMPREPLY=($(compgen -W "$(_xenopsctl_ids vm list)" -- "$cur")) ;;
	ID)
		if [ "${cmd[0]}" = vm ] || [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "$(_xenopsctl_ids vm list)" -- "$cur"))
		elif [ "${cmd[0]}" = task ]; then
			COMPREPLY=($(compgen -W "$(_xenopsctl_ids task list)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenopsctl_ids "${cmd[0]}" list "${pos[0]}")" -- "$cur"))
		fi
		;;
	CARRIER) COMPREPLY=($(compgen -W 'on off' -- "$cur")) ;;
	FILE | FILE\|- | PATH)
		if declare -F _filedir >/dev/null; then
			_filedir
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	esac
}
complete -F _xenopsctl xenopsctl
