package io.rlhf4j.nn.tokenizer.jinja;

import io.rlhf4j.nn.tokenizer.ChatTemplateException;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/** The globals transformers adds to its chat-template environment (chat_template_utils.py). */
public final class JinjaFunctions {
    private JinjaFunctions() {}

    /** {@code raise_exception(message)}: the template rejects its input. */
    public static Object raiseException(Object message) {
        throw new ChatTemplateException("chat template raised: " + message);
    }

    /** {@code strftime_now(format)}: Python's {@code datetime.now().strftime(format)} in the C locale. */
    public static String strftimeNow(String format) {
        return strftime(LocalDateTime.now(), format);
    }

    /** Python's {@code strftime} for the directives chat templates use, in the C locale. */
    public static String strftime(LocalDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            out.append(switch (d) {
                case 'd' -> String.format("%02d", t.getDayOfMonth());
                case 'm' -> String.format("%02d", t.getMonthValue());
                case 'Y' -> String.format("%04d", t.getYear());
                case 'y' -> String.format("%02d", t.getYear() % 100);
                case 'H' -> String.format("%02d", t.getHour());
                case 'I' -> String.format("%02d", (t.getHour() + 11) % 12 + 1);
                case 'M' -> String.format("%02d", t.getMinute());
                case 'S' -> String.format("%02d", t.getSecond());
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> String.format("%03d", t.getDayOfYear());
                case 'b' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'F' -> t.format(DateTimeFormatter.ISO_LOCAL_DATE);
                case '%' -> "%";
                default -> throw new ChatTemplateException("strftime_now: unsupported directive %" + d);
            });
        }
        return out.toString();
    }
}
