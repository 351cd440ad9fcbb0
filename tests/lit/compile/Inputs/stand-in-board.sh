#!/bin/sh
# A stand-in for a board reached by `ssh board`, for the tests of tuning
# behind --launcher: it runs each command on this machine, logs it to
# $BOARD_LOG, and says it is another device ($BOARD_DEVICE) running another
# cnnc ($BOARD_CNNC, if set) when asked for its context. A command that
# names $BOARD_LACKS fails as cnnc does on a board that does not see that file.
echo "$*" >> "$BOARD_LOG"
if [ -n "$BOARD_LACKS" ]; then
  case " $* " in
  *" $BOARD_LACKS "*)
    echo "cnnc: error: cannot open $BOARD_LACKS: No such file or directory" >&2
    exit 1 ;;
  esac
fi
case " $* " in
*" --context "*)
  printed=$("$@") || exit $?
  printed=$(printf '%s\n' "$printed" | sed -e "s|\"device\": \".*\"|\"device\": \"$BOARD_DEVICE\"|")
  if [ -n "$BOARD_CNNC" ]; then
    printed=$(printf '%s\n' "$printed" | sed -e "s|\"cnnc\": \".*\"|\"cnnc\": \"$BOARD_CNNC\"|")
  fi
  printf '%s\n' "$printed" ;;
*) exec "$@" ;;
esac
