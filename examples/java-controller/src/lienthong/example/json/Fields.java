package lienthong.example.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to the keys of a JSON object read by {@link Json}, with errors that name the key
 * and what it should hold ({@link IllegalArgumentException}: the controller answers them as
 * {@code bad-request}).
 */
public final class Fields {
    private final Map<String, Object> map;
    private final String where;

    private Fields(Map<String, Object> map, String where) {
        this.map = map;
        this.where = where;
    }

    /** The object {@code value} (a parsed body), or an error saying it is not one. */
    @SuppressWarnings("unchecked")
    public static Fields of(Object value, String where) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(where + " must be a JSON object");
        }
        return new Fields((Map<String, Object>) value, where);
    }

    /** Refuse keys outside {@code allowed} (the contract's requests are strict). */
    public Fields only(Set<String> allowed) {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + key + "\" (known: " + allowed + ")");
            }
        }
        return this;
    }

    public boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    private String name(String key) {
        return where + "." + key;
    }

    /** A non-blank string; {@code required} false gives null when the key is absent. */
    public String text(String key, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(name(key) + " is required (a non-empty string)");
            }
            return null;
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(name(key) + " must be a non-empty string, not " + Json.write(value));
        }
        return s;
    }

    /** A string, empty allowed; {@code required} false gives null when the key is absent. */
    public String string(String key, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(name(key) + " is required (a string)");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException(name(key) + " must be a string, not " + Json.write(value));
        }
        return s;
    }

    public Boolean bool(String key, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(name(key) + " is required (true or false)");
            }
            return null;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException(name(key) + " must be true or false, not " + Json.write(value));
        }
        return b;
    }

    /** A whole number in {@code min..max}, or null when absent. */
    public Long integer(String key, long min, long max) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Long l) || l < min || l > max) {
            throw new IllegalArgumentException(name(key) + " must be a whole number in " + min + ".." + max
                    + ", not " + Json.write(value));
        }
        return l;
    }

    /** A number greater than zero, or null when absent. */
    public Double positive(String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        double number;
        if (value instanceof Long l) {
            number = l;
        } else if (value instanceof BigDecimal d) {
            number = d.doubleValue();
        } else {
            throw new IllegalArgumentException(name(key) + " must be a number, not " + Json.write(value));
        }
        if (!(number > 0) || Double.isInfinite(number)) {
            throw new IllegalArgumentException(name(key) + " must be a number > 0, not " + Json.write(value));
        }
        return number;
    }

    public Fields object(String key, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(name(key) + " is required (an object)");
            }
            return null;
        }
        return of(value, name(key));
    }

    /** A list of non-empty strings. */
    public List<String> texts(String key, boolean required) {
        List<String> out = new ArrayList<>();
        for (Object item : list(key, required)) {
            if (!(item instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException(name(key) + " must hold non-empty strings, not " + Json.write(item));
            }
            out.add(s);
        }
        return out;
    }

    /** A list of objects. */
    public List<Fields> objects(String key, boolean required) {
        List<Fields> out = new ArrayList<>();
        List<Object> items = list(key, required);
        for (int i = 0; i < items.size(); i++) {
            out.add(of(items.get(i), name(key) + "[" + i + "]"));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(String key, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(name(key) + " is required (an array)");
            }
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(name(key) + " must be an array, not " + Json.write(value));
        }
        return (List<Object>) value;
    }
}
