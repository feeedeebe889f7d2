package lienthong.example.edxml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reading edXML (QCVN 102) with the JDK's DOM parser, safely: any DOCTYPE is refused (so no
 * entity is ever expanded and nothing is fetched), and elements are found by local name, so a
 * reader does not depend on the prefix a writer chose.
 */
public final class EdXml {
    public static final String NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
    private static final int MAX_DEPTH = 256;

    private EdXml() {}

    /** Parse {@code data}; {@link Unreadable} when it is not XML, or hostile XML. */
    public static Element parse(byte[] data) throws Unreadable {
        Document document;
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // no console noise: errors are thrown
            document = builder.parse(new ByteArrayInputStream(data));
        } catch (SAXException e) {
            throw new Unreadable("not readable XML: " + e.getMessage());
        } catch (IOException | ParserConfigurationException e) {
            throw new Unreadable("cannot read: " + e);
        }
        Element root = document.getDocumentElement();
        if (!"edXML".equals(root.getLocalName())) {
            throw new Unreadable("the root element is <" + root.getNodeName() + ">, not edXML");
        }
        if (depth(root, 0) > MAX_DEPTH) {
            throw new Unreadable("nested deeper than " + MAX_DEPTH + " levels");
        }
        return root;
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        return factory;
    }

    private static int depth(Node node, int level) {
        int deepest = level;
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.ELEMENT_NODE) {
                deepest = Math.max(deepest, depth(child, level + 1));
                if (deepest > MAX_DEPTH) {
                    return deepest;
                }
            }
        }
        return deepest;
    }

    /** The child elements of {@code parent} called {@code name} (any namespace prefix). */
    public static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && name.equals(element.getLocalName())) {
                out.add(element);
            }
        }
        return out;
    }

    /** The element at {@code path} (child names) below {@code parent}, or null. */
    public static Element at(Element parent, String... path) {
        Element node = parent;
        for (String name : path) {
            List<Element> found = children(node, name);
            if (found.isEmpty()) {
                return null;
            }
            node = found.get(0);
        }
        return node;
    }

    /** The trimmed text at {@code path}, or "" when the element is missing. */
    public static String text(Element parent, String... path) {
        Element node = at(parent, path);
        return node == null ? "" : node.getTextContent().trim();
    }

    /** Text that is not edXML this software can read: not XML, hostile XML, another root. */
    public static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unreadable(String why) {
            super(why);
        }
    }
}
