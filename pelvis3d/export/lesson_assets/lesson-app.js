// pelvis3d lesson page: the scene (three.js), the controls and the live measurements.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("lesson-data").textContent);
  const M = LessonMath;
  const $ = (id) => document.getElementById(id);
  const SIDES = ["left", "right"];

  // ---- the model (mm, deg, ISB pelvis frame) -------------------------------------------
  const model = {
    bodies: data.body_order,
    chain: data.chain,
    dofs: data.dofs,
    landmarks: data.landmarks,
    metricSurfaces: data.metric_surfaces,
    surfaces: {},
    positions: {},
    faces: {},
    distance: {},
  };
  for (const body of model.bodies) {
    const b = data.bodies[body];
    model.positions[body] = M.decode(b.positions, Float32Array);
    model.faces[body] = M.decode(b.faces, b.index_bytes === 2 ? Uint16Array : Uint32Array);
  }
  for (const [name, s] of Object.entries(data.surfaces)) {
    model.surfaces[name] = { ...s, vertices: Int32Array.from(s.vertices) };
    if (!model.distance[s.target])
      model.distance[s.target] = new M.MeshDistance(model.positions[s.target], model.faces[s.target]);
  }
  const ringDofs = data.ring_dofs;
  const neutralRun = M.metrics(model, {}, null);
  const neutral = neutralRun.values;
  const neutralFields = { ...neutralRun.fields };
  for (const name of Object.keys(model.surfaces))
    if (!neutralFields[name]) neutralFields[name] = M.field(model, neutralRun.transforms, name);

  const state = {
    angles: Object.fromEntries(ringDofs.map((n) => [n, (data.start && data.start[n]) || 0])),
    exaggeration: data.exaggeration,
    link: true,
    ghost: true,
    colormap: true,
    labels: true,
    view: "oblique",
  };

  // ---- three.js scene -------------------------------------------------------------------
  const canvas = $("view");
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(0xffffff, 1);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(30, 1, 1, 10000);
  scene.add(camera);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x666666, 1.0));
  const key = new THREE.DirectionalLight(0xffffff, 2.2);
  key.position.set(0.3, 0.6, 1);
  camera.add(key); // a headlight: the side facing the student is always lit

  const meshes = {}, ghosts = {}, baseColours = {};
  for (const body of model.bodies) {
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(model.positions[body], 3));
    geometry.setIndex(new THREE.BufferAttribute(model.faces[body], 1));
    geometry.computeVertexNormals();
    const n = model.positions[body].length / 3;
    const colours = new Float32Array(3 * n);
    const c = new THREE.Color(data.bodies[body].colour);
    for (let i = 0; i < n; i++) colours.set([c.r, c.g, c.b], 3 * i);
    baseColours[body] = c;
    geometry.setAttribute("color", new THREE.BufferAttribute(colours, 3));
    const mesh = new THREE.Mesh(
      geometry,
      new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.75, metalness: 0 })
    );
    mesh.matrixAutoUpdate = false;
    scene.add(mesh);
    meshes[body] = mesh;
    const ghost = new THREE.Mesh(
      geometry,
      new THREE.MeshStandardMaterial({ color: 0x7f9ccf, transparent: true, opacity: 0.22, depthWrite: false })
    );
    ghost.matrixAutoUpdate = false;
    ghost.renderOrder = 1;
    scene.add(ghost);
    ghosts[body] = ghost;
  }

  // bounding sphere of the neutral pelvis: what the views frame
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const body of model.bodies) {
    const p = model.positions[body];
    for (let i = 0; i < p.length; i += 3)
      for (let d = 0; d < 3; d++) {
        lo[d] = Math.min(lo[d], p[i + d]);
        hi[d] = Math.max(hi[d], p[i + d]);
      }
  }
  const centre = new THREE.Vector3((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2);
  const radius = 0.5 * Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);

  // ---- views: pelvis3d.render.views (direction pelvis -> camera, image up) -------------
  const unit = (v) => {
    const n = Math.hypot(v[0], v[1], v[2]);
    return [v[0] / n, v[1] / n, v[2] / n];
  };
  const VIEWS = {
    top: [[0, 1, 0], [1, 0, 0]],
    rear: [[-1, 0, 0], [0, 1, 0]],
    front: [[1, 0, 0], [0, 1, 0]],
    left: [[0, 0, -1], [0, 1, 0]],
    right: [[0, 0, 1], [0, 1, 0]],
    inlet: [[0.78, 0.63, 0], [-0.63, 0.78, 0]],
    oblique: [unit([1, 0.6, 0.45]), [0, 1, 0]],
  };
  function viewVectors(name) {
    let [dir, up] = VIEWS[name];
    const L = model.landmarks;
    if (name === "inlet" && L.sacral_promontory && L.left_pubic_tubercle && L.right_pubic_tubercle) {
      // along the normal of this pelvis's inlet plane (promontory, pubic tubercles), up and forward
      const p0 = L.sacral_promontory.position, a = L.left_pubic_tubercle.position, b = L.right_pubic_tubercle.position;
      const u = [b[0] - p0[0], b[1] - p0[1], b[2] - p0[2]], v = [a[0] - p0[0], a[1] - p0[1], a[2] - p0[2]];
      dir = unit([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]);
      if (dir[1] < 0) dir = dir.map((x) => -x);
    }
    dir = unit(dir);
    const k = up[0] * dir[0] + up[1] * dir[1] + up[2] * dir[2];
    return { direction: dir, up: unit([up[0] - k * dir[0], up[1] - k * dir[1], up[2] - k * dir[2]]) };
  }

  let controls = null;
  function setView(name) {
    const { direction, up } = viewVectors(name);
    state.view = name;
    // the bounding sphere of the box overstates the bones' extent: 0.8 of it fills the view
    const fit = (0.8 * radius) / Math.sin((camera.fov * Math.PI) / 360) / Math.min(1, camera.aspect);
    camera.up.set(up[0], up[1], up[2]);
    camera.position.set(
      centre.x + direction[0] * fit * 1.02,
      centre.y + direction[1] * fit * 1.02,
      centre.z + direction[2] * fit * 1.02
    );
    camera.lookAt(centre);
    if (controls) controls.dispose(); // OrbitControls take the up axis when made
    controls = new THREE.OrbitControls(camera, canvas);
    controls.target.copy(centre);
    controls.enableDamping = false;
    controls.addEventListener("change", () => (needsRender = true));
    controls.update();
    for (const b of document.querySelectorAll("#views button")) b.classList.toggle("on", b.dataset.view === name);
    needsRender = true;
  }

  // ---- colour map (matplotlib's RdBu: red = closing, blue = opening) ------------------
  const RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
    "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"].map((h) => new THREE.Color(h));
  function rdbu(x) {
    const u = Math.min(1, Math.max(0, (x + 1) / 2)) * (RDBU.length - 1);
    const i = Math.min(RDBU.length - 2, Math.floor(u));
    return RDBU[i].clone().lerp(RDBU[i + 1], u - i);
  }
  function paint(fields) {
    for (const body of model.bodies) {
      const attr = meshes[body].geometry.getAttribute("color");
      const base = baseColours[body];
      for (const [name, s] of Object.entries(model.surfaces)) {
        if (s.body !== body) continue;
        const f = fields && fields[name];
        for (let i = 0; i < s.vertices.length; i++) {
          const c = f ? rdbu((f[i] - neutralFields[name][i]) / data.colormap_limit_mm) : base;
          attr.setXYZ(s.vertices[i], c.r, c.g, c.b);
        }
      }
      attr.needsUpdate = true;
    }
    $("legend").hidden = !fields;
  }

  // ---- labels: HTML tags at the projected (shown) landmarks, re-laid every frame --------
  const labelEls = {};
  for (const text of Object.keys(data.labels)) {
    const dot = document.createElement("div");
    dot.className = "dot";
    const tag = document.createElement("div");
    tag.className = "label";
    tag.textContent = text;
    $("labels").append(dot, tag);
    labelEls[text] = [dot, tag];
  }
  function layLabels(t) {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    $("labels").hidden = !state.labels;
    if (!state.labels) return;
    for (const [text, names] of Object.entries(data.labels)) {
      const p = [0, 0, 0];
      for (const n of names) {
        const q = M.apply(t[model.landmarks[n].body], model.landmarks[n].position);
        for (let d = 0; d < 3; d++) p[d] += q[d] / names.length;
      }
      const v = new THREE.Vector3(p[0], p[1], p[2]).project(camera);
      const x = ((v.x + 1) / 2) * w, y = ((1 - v.y) / 2) * h;
      for (const el of labelEls[text]) {
        el.style.left = `${x}px`;
        el.style.top = `${y}px`;
        el.hidden = v.z > 1;
      }
      const tag = labelEls[text][1]; // near the right edge: the text goes left of its dot
      tag.classList.toggle("flip", x + 10 + tag.offsetWidth > w);
    }
  }

  // ---- controls -------------------------------------------------------------------------
  const DOF_TEXT = {
    left_rotation: ["left innominate rotation", "+ external (out-flare) / − internal"],
    right_rotation: ["right innominate rotation", "+ external (out-flare) / − internal"],
    left_tilt: ["left innominate tilt", "+ anterior / − posterior"],
    right_tilt: ["right innominate tilt", "+ anterior / − posterior"],
    nutation: ["sacral nutation", "+ nutation / − counternutation"],
  };
  const fmt = (x) => String(Math.round(x * 100) / 100);
  const sliders = {};
  const dofBox = $("dofs");
  const link = document.createElement("label");
  link.innerHTML = '<input type="checkbox" id="link" checked> link sides (left = right)';
  dofBox.append(link);
  for (const name of ringDofs) {
    const d = model.dofs[name];
    const [title, sign] = DOF_TEXT[name] || [name.replace(/_/g, " "), ""];
    const box = document.createElement("div");
    box.className = "dof";
    box.innerHTML =
      `<label class="row" for="dof-${name}"><span>${title}</span><output id="out-${name}">0°</output></label>` +
      `<input type="range" id="dof-${name}" min="${d.hard[0]}" max="${d.hard[1]}" step="0.1" value="0">` +
      `<div class="range">${sign} · physiological ${fmt(d.physiological[0])}…${fmt(d.physiological[1])}°` +
      ` · hard limit ${fmt(d.hard[0])}…${fmt(d.hard[1])}°</div>`;
    dofBox.append(box);
    sliders[name] = box.querySelector("input");
    sliders[name].addEventListener("input", () => setAngle(name, Number(sliders[name].value), true));
  }
  const twin = (name) =>
    name.startsWith("left_") ? "right_" + name.slice(5) : name.startsWith("right_") ? "left_" + name.slice(6) : null;
  function setAngle(name, value, fromUser) {
    state.angles[name] = value;
    if (fromUser && state.link && twin(name) in state.angles) state.angles[twin(name)] = value;
    dirty = true;
  }
  $("link").addEventListener("change", (e) => (state.link = e.target.checked));

  for (const name of Object.keys(VIEWS)) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name;
    b.dataset.view = name;
    b.addEventListener("click", () => setView(name));
    $("views").append(b);
  }
  const ex = $("exaggeration");
  ex.max = String(data.max_exaggeration);
  ex.value = String(state.exaggeration);
  ex.addEventListener("input", () => {
    state.exaggeration = Number(ex.value);
    dirty = true;
  });
  for (const [id, keyName] of [["ghost", "ghost"], ["colormap", "colormap"], ["labels-on", "labels"]])
    $(id).addEventListener("change", (e) => {
      state[keyName] = e.target.checked;
      dirty = true;
    });
  $("reset").addEventListener("click", () => {
    stopPlay();
    for (const n of ringDofs) state.angles[n] = 0;
    dirty = true;
  });

  // ---- measurements -------------------------------------------------------------------------
  const ROWS = [
    ["pubic gap", "pubic_gap_mm"],
    ["pubic gap change", "pubic_gap_change_mm"],
    ["pubic shear (L above R)", "pubic_shear_mm"],
    ["SI space L", "si_space_left_mm"],
    ["SI space R", "si_space_right_mm"],
    ["SI change L", "si_space_change_left_mm"],
    ["SI change R", "si_space_change_right_mm"],
    ["SI anterior L", "si_anterior_space_left_mm"],
    ["SI anterior R", "si_anterior_space_right_mm"],
    ["SI posterior L", "si_posterior_space_left_mm"],
    ["SI posterior R", "si_posterior_space_right_mm"],
    ["inter-ASIS", "inter_asis_mm"],
  ];
  $("metric-rows").innerHTML = ROWS.map(
    ([text, k]) => `<tr><td>${text}</td><td id="m-${k}-true"></td><td id="m-${k}-shown"></td></tr>`
  ).join("");
  const contactOf = (k) =>
    k.startsWith("pubic") ? "pubic_contact" : k.includes("left") ? "si_contact_left" : k.includes("right") ? "si_contact_right" : null;
  function showMetrics(trueV, shownV) {
    for (const [, k] of ROWS)
      for (const [col, v] of [["true", trueV], ["shown", shownV]]) {
        const td = $(`m-${k}-${col}`);
        td.textContent = v[k].toFixed(2);
        td.classList.toggle("contact", Boolean(contactOf(k) && v[contactOf(k)]));
      }
  }

  // ---- one update per frame -------------------------------------------------------------------
  let dirty = true, needsRender = true, lastTransforms = null;
  const api = { ready: false, state, model, neutral, viewVectors, setView, updates: 0, renders: 0 };
  function update() {
    const e = state.exaggeration;
    const trueRun = M.metrics(model, state.angles, neutral);
    const shownAngles = Object.fromEntries(ringDofs.map((n) => [n, state.angles[n] * e]));
    const shownRun = e === 1 ? trueRun : M.metrics(model, shownAngles, neutral);
    showMetrics(trueRun.values, shownRun.values);
    const tv = trueRun.values, sv = shownRun.values;
    $("summary").textContent =
      `pubic gap ${tv.pubic_gap_mm.toFixed(2)} mm · SI L ${tv.si_space_left_mm.toFixed(2)} · ` +
      `R ${tv.si_space_right_mm.toFixed(2)} mm` +
      (e === 1 ? "" : ` (shown ${sv.pubic_gap_mm.toFixed(2)} · ${sv.si_space_left_mm.toFixed(2)} · ${sv.si_space_right_mm.toFixed(2)})`) +
      (tv.pubic_contact || tv.si_contact_left || tv.si_contact_right ? " · the true bones touch (negative = overlap)" : "");
    api.metrics = { true: trueRun.values, shown: shownRun.values, angles: { ...state.angles }, exaggeration: e };
    const t = shownRun.transforms;
    lastTransforms = t;
    for (const body of model.bodies) {
      const m = t[body];
      meshes[body].matrix.set(...m);
      meshes[body].matrixWorldNeedsUpdate = true;
      ghosts[body].visible = state.ghost && e * Math.max(...ringDofs.map((n) => Math.abs(state.angles[n]))) > 0;
    }
    if (state.colormap) {
      const fields = { ...shownRun.fields };
      for (const name of Object.keys(model.surfaces))
        if (!fields[name]) fields[name] = M.field(model, t, name);
      paint(fields);
    } else paint(null);
    for (const n of ringDofs) {
      const v = state.angles[n], d = model.dofs[n];
      if (Number(sliders[n].value) !== v) sliders[n].value = String(v);
      const out = $(`out-${n}`);
      out.textContent = `${fmt(v)}°`;
      out.classList.toggle("beyond", v < d.physiological[0] || v > d.physiological[1]);
    }
    $("exaggeration-value").textContent = `×${fmt(e)}`;
    $("shown-head").textContent = e === 1 ? "shown (= true)" : `shown ×${fmt(e)}`;
    const beyond = ringDofs.filter((n) => {
      const p = model.dofs[n].physiological;
      return state.angles[n] < p[0] || state.angles[n] > p[1];
    });
    $("caption").innerHTML =
      (e === 1 ? "true scale (no exaggeration)" : `motion exaggerated x${fmt(e)}`) +
      (phase ? `<span>${phase.replace(/[<]/g, "&lt;")}</span>` : "") +
      (beyond.length ? `<span class="warn">beyond the physiological range: ${beyond.join(", ")}</span>` : "");
    api.updates += 1;
    needsRender = true;
  }

  function resize() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    needsRender = true;
  }
  new ResizeObserver(resize).observe($("stage"));

  // ---- play a motion ------------------------------------------------------------------------
  const motion = data.motion;
  let playing = null, phase = "";
  function stopPlay() {
    playing = null;
    $("play").innerHTML = "&#9654; play";
  }
  if (motion) {
    $("play").hidden = false;
    $("play").title = motion.description || motion.name;
    $("play").addEventListener("click", () => {
      if (playing) stopPlay();
      else {
        playing = { start: performance.now() };
        $("play").innerHTML = "&#10074;&#10074; pause";
      }
    });
  }
  function stepPlay(now) {
    const times = motion.times, duration = times[times.length - 1];
    let t = (now - playing.start) / 1000;
    if (t > duration) {
      if (motion.loop) t %= duration;
      else {
        t = duration;
        stopPlay();
      }
    }
    let i = 0;
    while (i < times.length - 1 && times[i + 1] <= t) i++;
    for (const n of ringDofs) state.angles[n] = motion.angles[n][i];
    phase = motion.labels[i] ? `${motion.name}: ${motion.labels[i]}` : motion.name;
    $("phase").textContent = phase;
    dirty = true;
  }

  function frame(now) {
    if (playing) stepPlay(now);
    if (dirty) {
      dirty = false;
      const t0 = performance.now();
      update();
      api.updateMs = performance.now() - t0;
    }
    if (needsRender) {
      needsRender = false;
      const t0 = performance.now();
      renderer.render(scene, camera);
      api.renderMs = performance.now() - t0;
      if (lastTransforms) layLabels(lastTransforms);
      api.renders += 1;
    }
    requestAnimationFrame(frame);
  }

  $("title").textContent = `The pelvic ring: ${data.name}`;
  $("attribution").textContent = data.attribution;
  document.querySelectorAll(".lim").forEach((el) => (el.textContent = fmt(data.colormap_limit_mm)));
  resize();
  setView(state.view);
  window.pelvisLesson = api;
  requestAnimationFrame((now) => {
    frame(now);
    api.ready = true;
  });
})();
