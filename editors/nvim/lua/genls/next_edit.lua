-- Next-edit suggestions: once the person edits and pauses, asks genls (`genls/nextEdit`) for
-- the change they are likely to make next, wherever it is. Near the cursor the edit is
-- previewed where it applies: the text it replaces highlighted (GenlsNextEditDelete), the
-- lines as they would read below it (GenlsNextEditAdd), its reason at the end of the line.
-- Farther away, or in another file, a hint at the cursor's line says where; keymaps.accept
-- jumps there and previews it, and accepts a preview: one undo step, then the answer's
-- command (genls.acceptedNextEdit). Any edit, or keymaps.dismiss_next_edit in normal mode,
-- dismisses it. Ghost text wins at the cursor: nothing is asked while it is shown.
--
-- A `User GenlsNextEditShown` autocmd fires when a preview or a hint appears, with data
-- { buf, kind = "preview"|"jump", line (0-based, of the edit), reason, source }.
local lsp = require("genls.lsp")

local M = {}

M.ns = vim.api.nvim_create_namespace("genls_next_edit")
M.METHOD = "genls/nextEdit"
M.EVENT = "GenlsNextEditShown"

local METHOD_NOT_FOUND = -32601
local NATIVE_GHOST_NS = "nvim.lsp.inline_completion"

local DEFAULTS = { enabled = true, delay_ms = 500, near_lines = 10 }
local config = DEFAULTS
local keymaps = {}
local ghost_mode = "plugin"

---@class genls.NextEditBuf
---@field timer uv.uv_timer_t?
---@field pending {client: vim.lsp.Client, id: integer}?
---@field seq integer bumped per request: answers to older ones are dropped
---@field unasked integer? changedtick of an edit not asked about (ghost text was shown)

---@type table<integer, genls.NextEditBuf>
local buffers = {}

---@class genls.ShownEdit
---@field bufnr integer the buffer it is drawn in
---@field kind "preview"|"jump"
---@field edit table the server's answer: uri, range, newText, reason, source, command
---@field target integer the buffer the edit applies to
---@field client_id integer
---@field encoding string
---@field mapped {mode: string, lhs: string}[] the keys mapped while it is shown

--- The one next edit on screen, if any (one at a time, in whichever buffer it is drawn).
---@type genls.ShownEdit?
local shown = nil
-- Clients whose server has no genls/nextEdit (an older genls): not asked again.
local unsupported = {}
-- Set while keymaps.accept moves to another file: that BufLeave does not dismiss.
local jumping = false

local function resolve(bufnr)
  return (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
end

local function state(bufnr)
  local st = buffers[bufnr]
  if not st then
    st = { seq = 0 }
    buffers[bufnr] = st
  end
  return st
end

local function in_insert_mode()
  return vim.api.nvim_get_mode().mode:sub(1, 1) == "i"
end

--- Whether ghost text is on screen in `bufnr`, from whichever renderer draws it.
local function ghost_shown(bufnr)
  if ghost_mode == "plugin" then
    return require("genls.ghost").visible(bufnr)
  elseif ghost_mode == "native" then
    local ns = vim.api.nvim_get_namespaces()[NATIVE_GHOST_NS]
    return ns ~= nil and #vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { limit = 1 }) > 0
  end
  return false
end

local function unmap(entry)
  if not vim.api.nvim_buf_is_valid(entry.bufnr) then
    return
  end
  for _, key in ipairs(entry.mapped) do
    pcall(vim.keymap.del, key.mode, key.lhs, { buffer = entry.bufnr })
  end
  entry.mapped = {}
end

--- Hides the next edit on screen (wherever it is) and forgets it.
function M.dismiss()
  local entry = shown
  if not entry then
    return false
  end
  shown = nil
  unmap(entry)
  if vim.api.nvim_buf_is_valid(entry.bufnr) then
    vim.api.nvim_buf_clear_namespace(entry.bufnr, M.ns, 0, -1)
  end
  return true
end

--- Whether a next edit (preview or hint) is shown in `bufnr` (default: the current buffer).
function M.visible(bufnr)
  return shown ~= nil and shown.bufnr == resolve(bufnr)
end

--- Whether `client`'s server answered that it has no genls/nextEdit (an older genls).
---@param client vim.lsp.Client
function M.unsupported(client)
  return unsupported[client.id] == true
end

--- The shown edit: { kind, edit } (a copy), or nil.
function M.current(bufnr)
  if not M.visible(bufnr) then
    return nil
  end
  return { kind = shown.kind, edit = vim.deepcopy(shown.edit) }
end

--- For an insert-mode key of the ghost text renderers, when they have nothing shown: the
--- next-edit action for `name` ("accept" or "dismiss") if a next edit is shown, else `lhs`.
---@param name string the keymaps entry
---@param lhs string
---@return string
function M.key_or(name, lhs)
  if not M.visible(0) then
    return lhs
  end
  if name == "accept" then
    -- Its own undo step, apart from the typing before and after it.
    return "<C-g>u<Cmd>lua require('genls.next_edit').accept()<CR><C-g>u"
  elseif name == "dismiss" then
    return "<Cmd>lua require('genls.next_edit').dismiss()<CR>"
  end
  return lhs
end

local function line_at(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]
end

--- The edit's range in `bufnr` as 0-based rows and byte columns, or nil if it is outside.
local function byte_range(bufnr, range, encoding)
  local first, last = line_at(bufnr, range.start.line), line_at(bufnr, range["end"].line)
  if not first or not last then
    return nil
  end
  return range.start.line, lsp.byte_col(first, range.start.character, encoding),
    range["end"].line, lsp.byte_col(last, range["end"].character, encoding)
end

local function one_line(text)
  return (tostring(text or ""):gsub("%s+", " "))
end

--- Maps keymaps.accept and keymaps.dismiss_next_edit in normal mode (and keymaps.accept in
--- insert mode when no ghost text renderer maps it) in `entry.bufnr` while it is shown. A key
--- the user mapped in that buffer is left alone.
local function map_keys(entry)
  local function map(mode, lhs, action, expr)
    if not lhs or lhs == "" then
      return
    end
    local taken = vim.api.nvim_buf_call(entry.bufnr, function()
      return vim.fn.maparg(lhs, mode, false, true)
    end)
    if type(taken) == "table" and taken.buffer == 1 then
      return
    end
    vim.keymap.set(mode, lhs, action, { buffer = entry.bufnr, expr = expr, silent = true,
      desc = "genls: next edit" })
    table.insert(entry.mapped, { mode = mode, lhs = lhs })
  end
  local accept, dismiss = keymaps.accept, keymaps.dismiss_next_edit
  -- When the edit went away meanwhile, the key does what it does without us.
  map("n", accept, function()
    if not M.accept() then
      vim.api.nvim_feedkeys(vim.keycode(accept), "n", false)
    end
  end)
  map("n", dismiss, function()
    if not M.dismiss() then
      vim.api.nvim_feedkeys(vim.keycode(dismiss), "n", false)
    end
  end)
  if ghost_mode == "off" then
    map("i", accept, function()
      return M.key_or("accept", accept)
    end, true)
  end
end

local function announce(entry)
  pcall(vim.api.nvim_exec_autocmds, "User", {
    pattern = M.EVENT,
    modeline = false,
    data = {
      buf = entry.bufnr,
      kind = entry.kind,
      line = entry.edit.range.start.line,
      reason = entry.edit.reason,
      source = entry.edit.source,
    },
  })
end

--- Draws the edit where it applies: the replaced text highlighted, the new lines below.
---@return boolean drawn
local function draw_preview(entry)
  local bufnr, edit = entry.bufnr, entry.edit
  local start_row, start_col, end_row, end_col = byte_range(bufnr, edit.range, entry.encoding)
  if not start_row then
    return false
  end
  local first, last = line_at(bufnr, start_row), line_at(bufnr, end_row)
  local new_text = tostring(edit.newText or ""):gsub("\r", "")
  local after = first:sub(1, start_col) .. new_text .. last:sub(end_col + 1)
  -- Virtual lines show tabs as-is; spaces keep the indentation readable.
  local tab = string.rep(" ", vim.bo[bufnr].tabstop)
  local virt_lines = {}
  for _, text in ipairs(vim.split(after, "\n", { plain = true })) do
    table.insert(virt_lines, { { (text:gsub("\t", tab)), "GenlsNextEditAdd" } })
  end
  local reason = ("  ⇥ %s"):format(one_line(edit.reason))
  local ok = pcall(vim.api.nvim_buf_set_extmark, bufnr, M.ns, start_row, start_col, {
    end_row = end_row,
    end_col = end_col,
    hl_group = (start_row ~= end_row or start_col ~= end_col) and "GenlsNextEditDelete" or nil,
    virt_text = { { reason, "GenlsNextEditHint" } },
    virt_text_pos = "eol",
    priority = 4096,
  })
  ok = ok and pcall(vim.api.nvim_buf_set_extmark, bufnr, M.ns, end_row, 0, {
    virt_lines = virt_lines,
    priority = 4096,
  })
  if not ok then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
  return ok
end

--- Draws a hint at the cursor's line saying where the edit is.
local function draw_hint(entry)
  local edit = entry.edit
  local line = edit.range.start.line + 1
  local where = entry.target == entry.bufnr and ("line %d"):format(line)
    or ("%s:%d"):format(vim.fn.fnamemodify(vim.uri_to_fname(edit.uri), ":~:."), line)
  local text = ("  ⇥ next edit: %s — %s"):format(where, one_line(edit.reason))
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  return pcall(vim.api.nvim_buf_set_extmark, entry.bufnr, M.ns, row, 0, {
    virt_text = { { text, "GenlsNextEditHint" } },
    virt_text_pos = "eol",
    priority = 4096,
  })
end

--- Shows `entry` (a preview, or a hint when it is far), maps its keys and announces it.
local function show(entry)
  M.dismiss()
  local drawn
  if entry.kind == "preview" then
    drawn = draw_preview(entry)
  else
    drawn = draw_hint(entry)
  end
  if not drawn then
    return
  end
  shown = entry
  map_keys(entry)
  announce(entry)
end

--- Whether the edit is near the cursor of the current window, in `bufnr`.
local function near(bufnr, target, range)
  if target ~= bufnr then
    return false
  end
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  return math.abs(range.start.line - row) <= config.near_lines
    and math.abs(range["end"].line - row) <= config.near_lines
end

--- Asks the server for the next edit at the cursor of `bufnr` (the current buffer) now.
---@param bufnr integer?
---@return boolean sent
function M.request(bufnr)
  bufnr = resolve(bufnr)
  local client = lsp.client(bufnr)
  if not client or unsupported[client.id] or bufnr ~= vim.api.nvim_get_current_buf() then
    return false
  end
  local st = state(bufnr)
  lsp.cancel_pending(st)
  local seq = st.seq
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  local encoding = client.offset_encoding
  local params = vim.lsp.util.make_position_params(0, encoding)
  local id = lsp.request(client, M.METHOD, params, function(err, result)
    if st.seq ~= seq then
      return -- a newer request, or an edit, replaced this one
    end
    st.pending = nil
    if err then
      if err.code == METHOD_NOT_FOUND then
        unsupported[client.id] = true
      end
      return
    end
    -- An edit since (the changedtick) makes the answer stale; ghost text at the cursor wins.
    if type(result) ~= "table" or type(result.range) ~= "table"
      or not vim.api.nvim_buf_is_valid(bufnr) or vim.api.nvim_get_current_buf() ~= bufnr
      or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick or ghost_shown(bufnr) then
      return
    end
    local target = result.uri and vim.uri_to_bufnr(result.uri) or bufnr
    show({
      bufnr = bufnr,
      kind = near(bufnr, target, result.range) and "preview" or "jump",
      edit = result,
      target = target,
      client_id = client.id,
      encoding = encoding,
      mapped = {},
    })
  end, bufnr)
  if not id then
    return false
  end
  st.pending = { client = client, id = id }
  return true
end

--- Asks once the buffer is still what it was `tick` (no newer edit) and no ghost text shows.
local function ask(bufnr, tick)
  local st = state(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.api.nvim_get_current_buf() ~= bufnr
    or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick then
    return
  end
  if ghost_shown(bufnr) then
    st.unasked = tick -- asked when the ghost text goes away without an edit (InsertLeave)
    return
  end
  st.unasked = nil
  M.request(bufnr)
end

local function schedule(bufnr, tick)
  local st = state(bufnr)
  st.timer = st.timer or vim.uv.new_timer()
  st.timer:stop()
  st.timer:start(config.delay_ms, 0, vim.schedule_wrap(function()
    ask(bufnr, tick)
  end))
end

--- TextChanged / TextChangedI / TextChangedP: the edit shown is stale; ask again after a pause.
local function on_edit(bufnr)
  if shown and (shown.bufnr == bufnr or shown.target == bufnr) then
    M.dismiss()
  end
  local st = state(bufnr)
  lsp.cancel_pending(st)
  st.unasked = nil
  schedule(bufnr, vim.api.nvim_buf_get_changedtick(bufnr))
end

--- Moves the cursor to a hinted edit (opening its file if needed) and previews it there.
local function jump(entry)
  local target, edit = entry.target, entry.edit
  vim.cmd("normal! m'") -- <C-o> comes back
  if target ~= vim.api.nvim_get_current_buf() then
    jumping = true
    local ok = pcall(vim.cmd.edit, vim.fn.fnameescape(vim.uri_to_fname(edit.uri)))
    jumping = false
    if not ok then
      return false
    end
    target = vim.api.nvim_get_current_buf()
  end
  local start_row, start_col = byte_range(target, edit.range, entry.encoding)
  if not start_row then
    return false
  end
  vim.api.nvim_win_set_cursor(0, { start_row + 1, start_col })
  show(vim.tbl_extend("force", entry, { bufnr = target, target = target, kind = "preview",
    mapped = {} }))
  return true
end

--- Applies a previewed edit as one change and runs its command.
local function apply(entry)
  local edit, bufnr = entry.edit, entry.target
  local start_row, start_col = byte_range(bufnr, edit.range, entry.encoding)
  if not start_row then
    return false
  end
  local new_text = tostring(edit.newText or "")
  vim.lsp.util.apply_text_edits({ { range = edit.range, newText = new_text } }, bufnr,
    entry.encoding)
  -- The cursor goes to the end of the new text (on its last character in normal mode).
  local lines = vim.split(new_text, "\n", { plain = true })
  local row = start_row + #lines - 1
  local col = (#lines == 1 and start_col or 0) + #lines[#lines]
  if not in_insert_mode() and #lines[#lines] > 0 then
    col = col - 1
  end
  if vim.api.nvim_get_current_buf() == bufnr then
    pcall(vim.api.nvim_win_set_cursor, 0, { row + 1, col })
  end
  local client = vim.lsp.get_client_by_id(entry.client_id)
  if client and type(edit.command) == "table" and edit.command.command then
    -- genls.acceptedNextEdit: the server records the edit as a suggestion taken.
    lsp.exec_cmd(client, edit.command, bufnr)
  end
  return true
end

--- keymaps.accept on a next edit: jumps to a hinted one, applies a previewed one.
---@return boolean done false when no next edit is shown in the current buffer
function M.accept()
  local entry = shown
  if not entry or entry.bufnr ~= vim.api.nvim_get_current_buf() then
    return false
  end
  if entry.kind == "jump" then
    return jump(entry)
  end
  M.dismiss() -- before editing, so the edit's events do not find it
  return apply(entry)
end

--- Starts next edits in `bufnr`.
function M.attach(bufnr)
  local group = vim.api.nvim_create_augroup("genls_next_edit_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ "TextChanged", "TextChangedI", "TextChangedP" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      on_edit(bufnr)
    end,
  })
  vim.api.nvim_create_autocmd("InsertLeave", {
    group = group,
    buffer = bufnr,
    callback = function()
      local st = buffers[bufnr]
      if st and st.unasked then
        schedule(bufnr, st.unasked)
      end
    end,
  })
  vim.api.nvim_create_autocmd("BufLeave", {
    group = group,
    buffer = bufnr,
    callback = function()
      if not jumping and shown and shown.bufnr == bufnr then
        M.dismiss()
      end
    end,
  })
  vim.api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
end

--- Stops next edits in `bufnr`.
function M.detach(bufnr)
  if shown and (shown.bufnr == bufnr or shown.target == bufnr) then
    M.dismiss()
  end
  pcall(vim.api.nvim_del_augroup_by_name, "genls_next_edit_" .. bufnr)
  local st = buffers[bufnr]
  if st then
    lsp.cancel_pending(st)
    if st.timer then
      st.timer:stop()
      st.timer:close()
    end
  end
  buffers[bufnr] = nil
end

---@param opts table the merged genls options
---@param group integer the plugin's augroup
---@param mode "native"|"plugin"|"off" the ghost text renderer (genls.ghost_mode())
function M.setup(opts, group, mode)
  config = vim.tbl_extend("force", DEFAULTS, type(opts.next_edit) == "table" and opts.next_edit
    or {})
  keymaps = opts.keymaps or {}
  ghost_mode = mode
  -- Linked, not set: colorschemes that define these win.
  vim.api.nvim_set_hl(0, "GenlsNextEditDelete", { link = "DiffDelete", default = true })
  vim.api.nvim_set_hl(0, "GenlsNextEditAdd", { link = "DiffAdd", default = true })
  vim.api.nvim_set_hl(0, "GenlsNextEditHint", { link = "Comment", default = true })
  if opts.next_edit == false or config.enabled == false then
    return
  end
  lsp.on_genls_buffers(group, M.attach, M.detach)
end

return M
