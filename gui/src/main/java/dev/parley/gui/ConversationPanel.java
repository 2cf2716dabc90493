package dev.parley.gui;

import javax.swing.AbstractAction;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.JTextPane;
import javax.swing.KeyStroke;
import javax.swing.UIManager;
import javax.swing.text.BadLocationException;
import javax.swing.text.DefaultCaret;
import javax.swing.text.SimpleAttributeSet;
import javax.swing.text.StyleConstants;
import javax.swing.text.StyledDocument;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.event.ActionEvent;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One conversation: its members, its lines (time, sender, text; this user's own set apart; long
 * lines wrap), an input where Enter sends and Shift+Enter breaks the line, and "Leave". Created and
 * used on the event-dispatch thread; {@link MainPanel} passes it the model's changes.
 */
final class ConversationPanel extends JPanel {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");

    private final Conversation conversation;
    private final String me;
    private final ZoneId zone;
    private final JLabel members = new JLabel();
    private final JTextPane lines = new JTextPane();
    private final JTextArea input = new JTextArea(2, 40);
    private final JScrollPane scroll;
    private final ImSession session;
    /** True while older lines go in above the view (see {@link #linesPrepended}). */
    private boolean prepending;

    ConversationPanel(Conversation conversation, String me, ZoneId zone, ImSession session) {
        super(new BorderLayout(0, 6));
        this.conversation = conversation;
        this.me = me;
        this.zone = zone;
        this.session = session;
        setName("conversation-" + conversation.id());
        setBorder(BorderFactory.createEmptyBorder(8, 8, 8, 8));

        members.setName("members");
        var leave = new JButton("Leave");
        leave.setName("leave");
        leave.setMnemonic(KeyEvent.VK_L);
        leave.addActionListener(event -> session.leave(conversation.id()));
        var header = new JPanel(new BorderLayout());
        header.add(members, BorderLayout.CENTER);
        header.add(leave, BorderLayout.EAST);

        lines.setName("lines");
        lines.setEditable(false);
        ((DefaultCaret) lines.getCaret()).setUpdatePolicy(DefaultCaret.NEVER_UPDATE);
        scroll = new JScrollPane(lines);
        scroll.setName("lines-scroll");
        scroll.setHorizontalScrollBarPolicy(JScrollPane.HORIZONTAL_SCROLLBAR_NEVER);
        scroll.getVerticalScrollBar().addAdjustmentListener(event -> loadOlderAtTop());

        input.setName("input");
        input.setLineWrap(true);
        input.setWrapStyleWord(true);
        input.putClientProperty("JTextField.placeholderText", "Message — Enter sends, Shift+Enter breaks the line");
        input.getInputMap().put(KeyStroke.getKeyStroke(KeyEvent.VK_ENTER, 0), "send");
        input.getInputMap().put(KeyStroke.getKeyStroke(KeyEvent.VK_ENTER, InputEvent.SHIFT_DOWN_MASK), "insert-break");
        input.getActionMap().put("send", new AbstractAction() {
            @Override
            public void actionPerformed(ActionEvent event) {
                String text = input.getText();
                if (!text.isBlank()) {
                    session.send(conversation.id(), text);
                    input.setText("");
                }
            }
        });

        add(header, BorderLayout.NORTH);
        add(scroll, BorderLayout.CENTER);
        add(new JScrollPane(input), BorderLayout.SOUTH);
        membersChanged();
        linesAdded(0);
    }

    Conversation conversation() {
        return conversation;
    }

    JComponent input() {
        return input;
    }

    void membersChanged() {
        members.setText("Members: " + String.join(", ", conversation.members()));
    }

    void linesAdded(int firstNew) {
        insert(lines.getDocument().getLength(), conversation.lines().subList(firstNew, conversation.lines().size()));
        lines.setCaretPosition(lines.getDocument().getLength());
        lines.scrollRectToVisible(new Rectangle(0, lines.getHeight() - 1, 1, 1));
        loadOlderAtTop();
    }

    /**
     * Older lines came in at the top: they go above what is in view, which stays in view. While
     * the view grows and moves, the scroll bar passes through the top: that is not the reader
     * scrolling up, and asks for nothing (it once loaded the whole history, page after page).
     */
    void linesPrepended(int count) {
        var bar = scroll.getVerticalScrollBar();
        int height = lines.getPreferredSize().height;
        prepending = true;
        try {
            insert(0, conversation.lines().subList(0, count));
            int grown = lines.getPreferredSize().height - height;
            scroll.validate();
            bar.setValue(bar.getValue() + grown);
        } finally {
            prepending = false;
        }
        loadOlderAtTop();
    }

    /** Scrolled to the top (or everything fits) and the server keeps older lines: asks for a page of them. */
    private void loadOlderAtTop() {
        var bar = scroll.getVerticalScrollBar();
        if (!prepending && bar.getValue() == bar.getMinimum() && conversation.hasOlderHistory()) {
            session.loadOlder(conversation.id(), conversation.oldestSequence());
        }
    }

    /** A message not sent goes back to the input, before whatever was typed since, so that nothing typed is lost. */
    void giveBack(String text) {
        String typedSince = input.getText();
        input.setText(typedSince.isEmpty() ? text : text + "\n" + typedSince);
        input.setCaretPosition(text.length());
    }

    void linesDropped(int count) {
        var document = lines.getStyledDocument();
        var root = document.getDefaultRootElement();
        int end = root.getElement(Math.min(count, root.getElementCount()) - 1).getEndOffset();
        try {
            document.remove(0, Math.min(end, document.getLength()));
        } catch (BadLocationException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insert(int offset, List<ChatLine> added) {
        StyledDocument document = lines.getStyledDocument();
        Color accent = UIManager.getColor("Component.accentColor");
        Color muted = UIManager.getColor("Label.disabledForeground");
        var time = new SimpleAttributeSet();
        StyleConstants.setForeground(time, muted == null ? Color.GRAY : muted);
        var sender = new SimpleAttributeSet();
        StyleConstants.setBold(sender, true);
        var ownSender = new SimpleAttributeSet(sender);
        StyleConstants.setForeground(ownSender, accent == null ? Color.BLUE : accent);
        var text = new SimpleAttributeSet();
        var notice = new SimpleAttributeSet(time);
        StyleConstants.setItalic(notice, true);
        var ownParagraph = new SimpleAttributeSet();
        StyleConstants.setLeftIndent(ownParagraph, 24);
        var paragraph = new SimpleAttributeSet();
        StyleConstants.setSpaceBelow(paragraph, 4);
        StyleConstants.setSpaceBelow(ownParagraph, 4);
        int at = offset;
        try {
            for (ChatLine line : added) {
                int start = at;
                String stamp = TIME.format(line.time().atZone(zone)) + "  ";
                document.insertString(at, stamp, time);
                at += stamp.length();
                String name = line.isNotice() ? "" : (line.own() ? me : line.sender()) + ": ";
                document.insertString(at, name, line.own() ? ownSender : sender);
                at += name.length();
                String body = line.text() + "\n";
                document.insertString(at, body, line.isNotice() ? notice : text);
                at += body.length();
                document.setParagraphAttributes(start, at - start, line.own() ? ownParagraph : paragraph, false);
            }
        } catch (BadLocationException e) {
            throw new IllegalStateException(e);
        }
    }
}
