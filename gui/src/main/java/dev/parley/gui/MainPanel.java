package dev.parley.gui;

import dev.parley.im.Invitation;

import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.ListSelectionModel;
import javax.swing.UIManager;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.GridLayout;
import java.awt.event.KeyEvent;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything the main window shows: the connection banner, this user's name and status, pending
 * invitations, the buddy list with "Invite", the ongoing conversations with "Refresh" and "Join",
 * and a tab per conversation this user is in, with its unread count. It listens to a
 * {@link ChatModel} and sends what the user does to an {@link ImSession}. Created and used on the
 * event-dispatch thread (or, to draw a screenshot without a display, on one thread of its own).
 */
final class MainPanel extends JPanel implements ChatModel.Listener {

    private final ChatModel model;
    private final ImSession session;
    private final ZoneId zone;
    private final JLabel banner = new JLabel();
    private final JLabel me = new JLabel();
    private final JComboBox<String> myStatus = new JComboBox<>(new String[] {"online", "away", "busy"});
    private final JPanel invitations = new JPanel();
    private final DefaultListModel<Buddy> buddies = new DefaultListModel<>();
    private final JList<Buddy> buddyList = new JList<>(buddies);
    private final DefaultListModel<Map.Entry<Long, List<String>>> ongoing = new DefaultListModel<>();
    private final JList<Map.Entry<Long, List<String>>> ongoingList = new JList<>(ongoing);
    private final JTabbedPane tabs = new JTabbedPane();
    private final JLabel problem = new JLabel(" ");
    private final Map<Long, ConversationPanel> panels = new HashMap<>();
    private boolean updatingStatus;

    MainPanel(ChatModel model, ImSession session, ZoneId zone) {
        super(new BorderLayout());
        this.model = model;
        this.session = session;
        this.zone = zone;
        setName("main");

        banner.setName("banner");
        banner.setOpaque(true);
        banner.setHorizontalAlignment(JLabel.CENTER);
        banner.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));

        me.setName("me");
        me.setFont(me.getFont().deriveFont(Font.BOLD, me.getFont().getSize2D() * 1.2f));
        myStatus.setName("myStatus");
        myStatus.setEditable(true);
        myStatus.setToolTipText("Your status: pick one or type your own, then Enter");
        myStatus.addActionListener(event -> {
            String chosen = String.valueOf(myStatus.getSelectedItem()).strip();
            if (!updatingStatus && !chosen.isEmpty() && !chosen.equals(model.myStatus())) {
                session.status(chosen);
            }
        });
        var statusLabel = new JLabel("Status:");
        statusLabel.setDisplayedMnemonic(KeyEvent.VK_S);
        statusLabel.setLabelFor(myStatus);
        var header = new JPanel(new FlowLayout(FlowLayout.LEFT, 8, 4));
        header.add(me);
        header.add(statusLabel);
        header.add(myStatus);

        invitations.setName("invitations");
        invitations.setLayout(new BoxLayout(invitations, BoxLayout.Y_AXIS));

        buddyList.setName("buddies");
        buddyList.setSelectionMode(ListSelectionModel.MULTIPLE_INTERVAL_SELECTION);
        buddyList.setCellRenderer(new BuddyRenderer());
        // Every row as high as the first: the list measures one cell, not hundreds, on each change.
        buddyList.setPrototypeCellValue(new Buddy("Prototype", "online"));
        var invite = button("Invite", "invite", KeyEvent.VK_I);
        invite.setToolTipText("Start a conversation with the selected buddies");
        invite.addActionListener(event -> {
            var chosen = buddyList.getSelectedValuesList().stream().map(Buddy::name).toList();
            if (!chosen.isEmpty()) {
                session.invite(chosen);
            }
        });

        ongoingList.setName("ongoing");
        ongoingList.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        ongoingList.setCellRenderer(new DefaultListCellRenderer() {
            @Override
            public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected,
                    boolean focused) {
                var entry = (Map.Entry<?, ?>) value;
                return super.getListCellRendererComponent(list, "#" + entry.getKey() + "  "
                        + String.join(", ", ((List<?>) entry.getValue()).stream().map(String::valueOf).toList()),
                        index, selected, focused);
            }
        });
        var refresh = button("Refresh", "refresh", KeyEvent.VK_R);
        refresh.addActionListener(event -> session.refresh());
        var join = button("Join", "join", KeyEvent.VK_J);
        join.addActionListener(event -> {
            var chosen = ongoingList.getSelectedValue();
            if (chosen != null) {
                session.join(chosen.getKey());
            }
        });

        var buddyButtons = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 4));
        buddyButtons.add(invite);
        var buddyPane = titled("Online", new JScrollPane(buddyList), buddyButtons);
        var ongoingButtons = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 4));
        ongoingButtons.add(refresh);
        ongoingButtons.add(join);
        var ongoingPane = titled("Conversations", new JScrollPane(ongoingList), ongoingButtons);
        var side = new JPanel(new BorderLayout());
        side.add(invitations, BorderLayout.NORTH);
        var lists = new JPanel(new GridLayout(2, 1, 0, 8));
        lists.add(buddyPane);
        lists.add(ongoingPane);
        side.add(lists, BorderLayout.CENTER);
        side.setPreferredSize(new Dimension(260, 400));

        tabs.setName("tabs");
        // One row of tabs that scrolls: dozens of conversations would otherwise stack rows of tabs.
        tabs.setTabLayoutPolicy(JTabbedPane.SCROLL_TAB_LAYOUT);
        var split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, side, tabs);
        split.setResizeWeight(0);
        split.setBorder(BorderFactory.createEmptyBorder(0, 8, 0, 8));

        problem.setName("problem");
        problem.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));

        var top = new JPanel(new BorderLayout());
        top.add(banner, BorderLayout.NORTH);
        top.add(header, BorderLayout.CENTER);
        add(top, BorderLayout.NORTH);
        add(split, BorderLayout.CENTER);
        add(problem, BorderLayout.SOUTH);

        connectionChanged();
        buddiesChanged();
        invitationsChanged();
        ongoingChanged();
        model.conversations().forEach(this::addTab);
        // Only now: adding the first tab selects it, which must not count as reading it.
        tabs.addChangeListener(event -> {
            var selected = (ConversationPanel) tabs.getSelectedComponent();
            model.inView(selected == null ? -1 : selected.conversation().id());
        });
        model.addListener(this);
    }

    /** The tab of conversation {@code id}, or null. */
    ConversationPanel panel(long id) {
        return panels.get(id);
    }

    /** Brings conversation {@code id}'s tab to the front. */
    void show(long id) {
        var panel = panels.get(id);
        if (panel != null) {
            tabs.setSelectedComponent(panel);
        }
    }

    @Override
    public void connectionChanged() {
        me.setText(model.me());
        String detail = model.stateDetail().isEmpty() ? "" : ": " + model.stateDetail();
        switch (model.state()) {
            case CONNECTED -> banner.setVisible(false);
            case CONNECTING -> banner("Connecting" + detail + "…", "Actions.Blue");
            case RECONNECTING -> banner("Reconnecting" + detail + "… you can keep typing", "Actions.Yellow");
            case DISCONNECTED -> banner("Disconnected" + detail, "Actions.Red");
        }
    }

    private void banner(String text, String colorKey) {
        Color color = UIManager.getColor(colorKey);
        banner.setBackground(color == null ? Color.ORANGE : color);
        banner.setForeground(Color.WHITE);
        banner.setText(text);
        banner.setVisible(true);
    }

    @Override
    public void buddiesChanged() {
        var selected = buddyList.getSelectedValuesList().stream().map(Buddy::name).toList();
        var now = model.buddies();
        buddies.clear();
        buddies.addAll(now);
        for (int i = 0; i < now.size(); i++) {
            if (selected.contains(now.get(i).name())) {
                buddyList.addSelectionInterval(i, i);
            }
        }
        updatingStatus = true;
        myStatus.setSelectedItem(model.myStatus());
        updatingStatus = false;
    }

    @Override
    public void invitationsChanged() {
        invitations.removeAll();
        for (Invitation invitation : model.invitations()) {
            invitations.add(invitationRow(invitation));
        }
        invitations.revalidate();
        invitations.repaint();
    }

    private JPanel invitationRow(Invitation invitation) {
        long id = invitation.conversationId();
        var row = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 2));
        row.setName("invitation-" + id);
        row.add(new JLabel(invitation.inviter() + " invites you (#" + id + ")"));
        var accept = button("Accept", "accept-" + id, KeyEvent.VK_A);
        accept.addActionListener(event -> session.join(id));
        var dismiss = button("Dismiss", "dismiss-" + id, KeyEvent.VK_D);
        dismiss.addActionListener(event -> session.dismiss(id));
        row.add(accept);
        row.add(dismiss);
        return row;
    }

    @Override
    public void ongoingChanged() {
        ongoing.clear();
        model.ongoing().entrySet().forEach(ongoing::addElement);
    }

    @Override
    public void conversationOpened(Conversation conversation) {
        tabs.setSelectedComponent(addTab(conversation));
    }

    private ConversationPanel addTab(Conversation conversation) {
        var panel = new ConversationPanel(conversation, model.me(), zone, session);
        panels.put(conversation.id(), panel);
        tabs.addTab(title(conversation), panel);
        return panel;
    }

    @Override
    public void conversationClosed(Conversation conversation) {
        var panel = panels.remove(conversation.id());
        if (panel != null) {
            tabs.remove(panel);
        }
    }

    @Override
    public void linesAdded(Conversation conversation, int firstNew) {
        withPanel(conversation, panel -> panel.linesAdded(firstNew));
    }

    @Override
    public void linesDropped(Conversation conversation, int count) {
        withPanel(conversation, panel -> panel.linesDropped(count));
    }

    @Override
    public void linesPrepended(Conversation conversation, int count) {
        withPanel(conversation, panel -> panel.linesPrepended(count));
    }

    @Override
    public void unreadChanged(Conversation conversation) {
        retitle(conversation);
    }

    @Override
    public void membersChanged(Conversation conversation) {
        withPanel(conversation, ConversationPanel::membersChanged);
        retitle(conversation);
    }

    @Override
    public void problem(String text) {
        problem.setText(text);
    }

    @Override
    public void notSent(Conversation conversation, String text) {
        withPanel(conversation, panel -> panel.giveBack(text));
    }

    private void retitle(Conversation conversation) {
        withPanel(conversation, panel -> tabs.setTitleAt(tabs.indexOfComponent(panel), title(conversation)));
    }

    private String title(Conversation conversation) {
        String title = conversation.title(model.me());
        return conversation.unread() == 0 ? title : title + " (" + conversation.unread() + ")";
    }

    private void withPanel(Conversation conversation, Consumer<ConversationPanel> action) {
        var panel = panels.get(conversation.id());
        if (panel != null) {
            action.accept(panel);
        }
    }

    private static JButton button(String text, String name, int mnemonic) {
        var button = new JButton(text);
        button.setName(name);
        button.setMnemonic(mnemonic);
        return button;
    }

    private static JPanel titled(String title, Component center, Component south) {
        var label = new JLabel(title);
        label.setFont(label.getFont().deriveFont(Font.BOLD));
        label.setBorder(BorderFactory.createEmptyBorder(4, 0, 4, 0));
        var panel = new JPanel(new BorderLayout());
        panel.add(label, BorderLayout.NORTH);
        panel.add(center, BorderLayout.CENTER);
        panel.add(south, BorderLayout.SOUTH);
        return panel;
    }
}
