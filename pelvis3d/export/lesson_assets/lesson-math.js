// pelvis3d lesson page: kinematics and exact joint-space metrics (no three.js, no DOM).
// A port of pelvis3d.kinematics.axis_angle_transform, Pelvis.transforms (same joint chain,
// same composition order), pelvis3d.distance (exact point-to-triangle distance, sign from
// angle-weighted pseudo-normals, Baerentzen & Aanaes 2005) and Pelvis.metrics, in doubles.
"use strict";

const LessonMath = (() => {
  // ---- base64 arrays -------------------------------------------------------------------
  function decode(b64, Type) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  // ---- 4x4 rigid transforms, row-major Float64Array(16) ---------------------------------
  const IDENTITY = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

  function matmul(a, b) {
    const o = new Float64Array(16);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[4 * i + k] * b[4 * k + j];
        o[4 * i + j] = s;
      }
    return o;
  }

  function rigidInverse(t) {
    const o = new Float64Array(16);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) o[4 * i + j] = t[4 * j + i];
      o[4 * i + 3] = -(t[i] * t[3] + t[4 + i] * t[7] + t[8 + i] * t[11]);
    }
    o[15] = 1;
    return o;
  }

  function axisAngle(axis, deg, pivot) {
    const n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    const x = axis[0] / n, y = axis[1] / n, z = axis[2] / n;
    const t = (deg * Math.PI) / 180, c = Math.cos(t), s = Math.sin(t), k = 1 - c;
    const r = [
      c + x * x * k, x * y * k - z * s, x * z * k + y * s,
      y * x * k + z * s, c + y * y * k, y * z * k - x * s,
      z * x * k - y * s, z * y * k + x * s, c + z * z * k,
    ];
    const o = new Float64Array(16);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) o[4 * i + j] = r[3 * i + j];
      o[4 * i + 3] = pivot[i] - (r[3 * i] * pivot[0] + r[3 * i + 1] * pivot[1] + r[3 * i + 2] * pivot[2]);
    }
    o[15] = 1;
    return o;
  }

  function apply(t, p) {
    return [
      t[0] * p[0] + t[1] * p[1] + t[2] * p[2] + t[3],
      t[4] * p[0] + t[5] * p[1] + t[6] * p[2] + t[7],
      t[8] * p[0] + t[9] * p[1] + t[10] * p[2] + t[11],
    ];
  }

  /** T_pelvis_body per body for `angles` (deg by DOF name), as Pelvis.transforms(pose). */
  function transforms(model, angles) {
    const frames = { world: IDENTITY };
    for (const [child, parent, dofs] of model.chain) {
      let t = frames[parent];
      for (const name of dofs) {
        const a = angles[name] || 0;
        if (a !== 0) t = matmul(t, axisAngle(model.dofs[name].axis, a, model.dofs[name].pivot));
      }
      frames[child] = t;
    }
    const toPelvis = rigidInverse(frames.pelvis);
    const out = {};
    for (const b of model.bodies) out[b] = matmul(toPelvis, frames[b]);
    return out;
  }

  // ---- exact signed distance to a triangle mesh ----------------------------------------
  const ON_BOUNDARY = 1e-9;
  const NORMAL_ROW = [0, 2, 3, 6, 1, 5, 4, 0];

  function unit3(x, y, z) {
    const n = Math.max(Math.sqrt(x * x + y * y + z * z), 1e-300);
    return [x / n, y / n, z / n];
  }

  class MeshDistance {
    constructor(positions, faces) {
      const v = positions, f = faces, m = f.length / 3;
      this.v = v;
      this.f = f;
      this.m = m;
      // per face: corner a, ab, ac (9); Gram entries d00, d01, d11, 1/det (4); 7 unit normals (21)
      this.corner = new Float64Array(9 * m);
      this.gram = new Float64Array(4 * m);
      this.normals = new Float64Array(21 * m);
      const faceN = new Float64Array(3 * m);
      const vsum = new Float64Array(v.length);
      const edgeSum = new Map();
      const nv = v.length / 3;
      const edgeKey = (i, j) => (i < j ? i * nv + j : j * nv + i); // small integers: fast Map keys
      for (let k = 0; k < m; k++) {
        const ia = f[3 * k], ib = f[3 * k + 1], ic = f[3 * k + 2];
        const ax = v[3 * ia], ay = v[3 * ia + 1], az = v[3 * ia + 2];
        const abx = v[3 * ib] - ax, aby = v[3 * ib + 1] - ay, abz = v[3 * ib + 2] - az;
        const acx = v[3 * ic] - ax, acy = v[3 * ic + 1] - ay, acz = v[3 * ic + 2] - az;
        this.corner.set([ax, ay, az, abx, aby, abz, acx, acy, acz], 9 * k);
        const d00 = abx * abx + aby * aby + abz * abz;
        const d01 = abx * acx + aby * acy + abz * acz;
        const d11 = acx * acx + acy * acy + acz * acz;
        const det = d00 * d11 - d01 * d01;
        const scale = Math.max(d00 * d11, 1e-300);
        this.gram.set([d00, d01, d11, det > 1e-12 * scale ? 1 / det : 0], 4 * k);
        const n = unit3(aby * acz - abz * acy, abz * acx - abx * acz, abx * acy - aby * acx);
        faceN.set(n, 3 * k);
        const idx = [ia, ib, ic];
        for (let c = 0; c < 3; c++) {
          const p = idx[c], q = idx[(c + 1) % 3], r = idx[(c + 2) % 3];
          const e1 = unit3(v[3 * q] - v[3 * p], v[3 * q + 1] - v[3 * p + 1], v[3 * q + 2] - v[3 * p + 2]);
          const e2 = unit3(v[3 * r] - v[3 * p], v[3 * r + 1] - v[3 * p + 1], v[3 * r + 2] - v[3 * p + 2]);
          const dot = Math.min(1, Math.max(-1, e1[0] * e2[0] + e1[1] * e2[1] + e1[2] * e2[2]));
          const ang = Math.acos(dot);
          for (let d = 0; d < 3; d++) vsum[3 * p + d] += n[d] * ang;
          const key = edgeKey(p, q);
          const s = edgeSum.get(key) || [0, 0, 0];
          s[0] += n[0];
          s[1] += n[1];
          s[2] += n[2];
          edgeSum.set(key, s);
        }
      }
      for (let k = 0; k < m; k++) {
        const idx = [f[3 * k], f[3 * k + 1], f[3 * k + 2]];
        const o = 21 * k;
        this.normals.set(faceN.subarray(3 * k, 3 * k + 3), o);
        for (let c = 0; c < 3; c++) {
          const s = edgeSum.get(edgeKey(idx[c], idx[(c + 1) % 3]));
          this.normals.set(unit3(s[0], s[1], s[2]), o + 3 + 3 * c);
          const p = idx[c];
          this.normals.set(unit3(vsum[3 * p], vsum[3 * p + 1], vsum[3 * p + 2]), o + 12 + 3 * c);
        }
      }
      this.buildTree();
    }

    // a bounding-volume tree over the triangles (median split), for exact nearest queries
    buildTree() {
      const m = this.m, c = this.corner;
      const order = new Int32Array(m);
      const cen = new Float64Array(3 * m);
      const lo = new Float64Array(3 * m), hi = new Float64Array(3 * m);
      for (let k = 0; k < m; k++) {
        order[k] = k;
        for (let d = 0; d < 3; d++) {
          const a = c[9 * k + d], b = a + c[9 * k + 3 + d], e = a + c[9 * k + 6 + d];
          lo[3 * k + d] = Math.min(a, b, e);
          hi[3 * k + d] = Math.max(a, b, e);
          cen[3 * k + d] = (a + b + e) / 3;
        }
      }
      // quickselect: order[start..end] partitioned so that order[mid] has the median centroid
      const select = (left, right, k, axis) => {
        while (right > left) {
          const pivot = cen[3 * order[(left + right) >> 1] + axis];
          let i = left, j = right;
          while (i <= j) {
            while (cen[3 * order[i] + axis] < pivot) i++;
            while (cen[3 * order[j] + axis] > pivot) j--;
            if (i <= j) {
              const tmp = order[i];
              order[i] = order[j];
              order[j] = tmp;
              i++;
              j--;
            }
          }
          if (k <= j) right = j;
          else if (k >= i) left = i;
          else return;
        }
      };
      const boxes = [], kids = [];
      const build = (start, end) => {
        const node = kids.length;
        kids.push([0, 0, 0]);
        const box = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
        for (let i = start; i < end; i++) {
          const k = order[i];
          for (let d = 0; d < 3; d++) {
            box[d] = Math.min(box[d], lo[3 * k + d]);
            box[3 + d] = Math.max(box[3 + d], hi[3 * k + d]);
          }
        }
        boxes.push(box);
        if (end - start <= 8) {
          kids[node] = [-1, start, end];
          return node;
        }
        const ext = [box[3] - box[0], box[4] - box[1], box[5] - box[2]];
        const axis = ext[0] >= ext[1] && ext[0] >= ext[2] ? 0 : ext[1] >= ext[2] ? 1 : 2;
        const mid = (start + end) >> 1;
        select(start, end - 1, mid, axis);
        const left = build(start, mid);
        const right = build(mid, end);
        kids[node] = [1, left, right];
        return node;
      };
      build(0, m);
      this.order = order;
      this.boxes = boxes;
      this.kids = kids;
    }

    // closest point on triangle k to p (Ericson, Real-Time Collision Detection 5.1.5)
    closestOnFace(k, px, py, pz, out) {
      const c = this.corner, o = 9 * k;
      const ax = c[o], ay = c[o + 1], az = c[o + 2];
      const abx = c[o + 3], aby = c[o + 4], abz = c[o + 5];
      const acx = c[o + 6], acy = c[o + 7], acz = c[o + 8];
      const apx = px - ax, apy = py - ay, apz = pz - az;
      const d1 = abx * apx + aby * apy + abz * apz, d2 = acx * apx + acy * apy + acz * apz;
      let u, w; // point = a + u ab + w ac
      if (d1 <= 0 && d2 <= 0) {
        u = 0;
        w = 0;
      } else {
        const bpx = apx - abx, bpy = apy - aby, bpz = apz - abz;
        const d3 = abx * bpx + aby * bpy + abz * bpz, d4 = acx * bpx + acy * bpy + acz * bpz;
        const cpx = apx - acx, cpy = apy - acy, cpz = apz - acz;
        const d5 = abx * cpx + aby * cpy + abz * cpz, d6 = acx * cpx + acy * cpy + acz * cpz;
        const vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
        if (d3 >= 0 && d4 <= d3) {
          u = 1;
          w = 0;
        } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
          u = d1 / (d1 - d3);
          w = 0;
        } else if (d6 >= 0 && d5 <= d6) {
          u = 0;
          w = 1;
        } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
          u = 0;
          w = d2 / (d2 - d6);
        } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
          w = (d4 - d3) / (d4 - d3 + (d5 - d6));
          u = 1 - w;
        } else {
          const denom = 1 / (va + vb + vc);
          u = vb * denom;
          w = vc * denom;
        }
      }
      out[0] = ax + u * abx + w * acx;
      out[1] = ay + u * aby + w * acy;
      out[2] = az + u * abz + w * acz;
      const dx = px - out[0], dy = py - out[1], dz = pz - out[2];
      return dx * dx + dy * dy + dz * dz;
    }

    /** Signed distance (mm; negative inside) from (px, py, pz) to the mesh; the closest
     *  point goes to `closest` (an array of 3) when given. */
    signedDistance(px, py, pz, closest) {
      const tmp = [0, 0, 0], best = closest || [0, 0, 0];
      let bestD = Infinity, bestF = -1;
      const stack = [0];
      const boxes = this.boxes, kids = this.kids, order = this.order;
      const boxDist = (b) => {
        const dx = Math.max(b[0] - px, 0, px - b[3]);
        const dy = Math.max(b[1] - py, 0, py - b[4]);
        const dz = Math.max(b[2] - pz, 0, pz - b[5]);
        return dx * dx + dy * dy + dz * dz;
      };
      while (stack.length) {
        const node = stack.pop();
        if (boxDist(boxes[node]) > bestD) continue;
        const [kind, a, b] = kids[node];
        if (kind < 0) {
          for (let i = a; i < b; i++) {
            const d = this.closestOnFace(order[i], px, py, pz, tmp);
            if (d < bestD) {
              bestD = d;
              bestF = order[i];
              best[0] = tmp[0];
              best[1] = tmp[1];
              best[2] = tmp[2];
            }
          }
        } else {
          const da = boxDist(boxes[a]), db = boxDist(boxes[b]);
          if (da < db) stack.push(b, a);
          else stack.push(a, b);
        }
      }
      const dist = Math.sqrt(bestD);
      const ox = px - best[0], oy = py - best[1], oz = pz - best[2];
      const nrm = this.normals, k = bestF;
      let height = ox * nrm[21 * k] + oy * nrm[21 * k + 1] + oz * nrm[21 * k + 2];
      if (Math.abs(height) < (1 - 1e-9) * dist) {
        // beside an edge or a corner: the pseudo-normal of the feature the closest point is on
        const c = this.corner, g = this.gram, o = 9 * k;
        const aqx = best[0] - c[o], aqy = best[1] - c[o + 1], aqz = best[2] - c[o + 2];
        const d20 = aqx * c[o + 3] + aqy * c[o + 4] + aqz * c[o + 5];
        const d21 = aqx * c[o + 6] + aqy * c[o + 7] + aqz * c[o + 8];
        const wb = (g[4 * k + 2] * d20 - g[4 * k + 1] * d21) * g[4 * k + 3];
        const wc = (g[4 * k] * d21 - g[4 * k + 1] * d20) * g[4 * k + 3];
        const code = (1 - wb - wc <= ON_BOUNDARY ? 1 : 0) + (wb <= ON_BOUNDARY ? 2 : 0) + (wc <= ON_BOUNDARY ? 4 : 0);
        const r = 21 * k + 3 * NORMAL_ROW[code];
        height = ox * nrm[r] + oy * nrm[r + 1] + oz * nrm[r + 2];
      }
      return height < 0 ? -dist : dist;
    }
  }

  // ---- joint fields and metrics --------------------------------------------------------
  /** Per vertex of joint surface `name`: its neutral signed distance to the partner bone and
   *  the unit direction from its closest partner point to it (outward across the joint), in
   *  the partner's frame - JointSpaceCalculator's neutral table. Computed once per surface. */
  function neutralGaps(model, name) {
    model.neutralGaps = model.neutralGaps || {};
    if (model.neutralGaps[name]) return model.neutralGaps[name];
    const s = model.surfaces[name];
    const src = model.positions[s.body], mesh = model.distance[s.target];
    const n = s.vertices.length;
    const gap = new Float64Array(n), direction = new Float64Array(3 * n), closest = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const v = s.vertices[i];
      const px = src[3 * v], py = src[3 * v + 1], pz = src[3 * v + 2];
      const d = mesh.signedDistance(px, py, pz, closest);
      const ax = px - closest[0], ay = py - closest[1], az = pz - closest[2];
      const flip = d < 0 ? -1 : 1;
      const length = Math.max(Math.sqrt(ax * ax + ay * ay + az * az), 1e-12);
      gap[i] = d;
      direction[3 * i] = (flip * ax) / length;
      direction[3 * i + 1] = (flip * ay) / length;
      direction[3 * i + 2] = (flip * az) / length;
    }
    return (model.neutralGaps[name] = { gap, direction });
  }

  /** Signed distance (mm) at each vertex of joint surface `name`, bodies posed by `t`,
   *  continued through contact as pelvis3d.metrics does: past contact the nearest-point
   *  distance turns back (a point deep in a thin bone nears its far side), so where a vertex
   *  has crossed its neutral gap (neutral gap minus its travel toward the partner along the
   *  neutral gap direction is below zero), the lower of that and the distance counts. */
  function field(model, t, name) {
    const s = model.surfaces[name];
    const m = matmul(rigidInverse(t[s.target]), t[s.body]);
    const src = model.positions[s.body], mesh = model.distance[s.target];
    const { gap, direction } = neutralGaps(model, name);
    const out = new Float64Array(s.vertices.length);
    for (let i = 0; i < s.vertices.length; i++) {
      const v = s.vertices[i];
      const x = src[3 * v], y = src[3 * v + 1], z = src[3 * v + 2];
      const p = apply(m, [x, y, z]);
      const d = mesh.signedDistance(p[0], p[1], p[2]);
      const height =
        gap[i] +
        (p[0] - x) * direction[3 * i] +
        (p[1] - y) * direction[3 * i + 1] +
        (p[2] - z) * direction[3 * i + 2];
      out[i] = height < 0 ? Math.min(d, height) : d;
    }
    return out;
  }

  const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;

  /** The scalar metrics of Pelvis.metrics for `angles` (deg), mm; `neutral` gives the changes. */
  function metrics(model, angles, neutral) {
    const t = transforms(model, angles);
    const fields = {};
    for (const name of model.metricSurfaces) fields[name] = field(model, t, name);
    const lm = (name) => apply(t[model.landmarks[name].body], model.landmarks[name].position);
    const dist = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    const pl = fields.left_pubic_face, pr = fields.right_pubic_face;
    const out = {
      pubic_gap_mm: (pl.reduce((s, x) => s + x, 0) + pr.reduce((s, x) => s + x, 0)) / (pl.length + pr.length),
      pubic_min_gap_mm: Math.min(...pl, ...pr),
      pubic_shear_mm: lm("left_symphyseal_face_centre")[1] - lm("right_symphyseal_face_centre")[1],
      inter_asis_mm: dist(lm("left_asis"), lm("right_asis")),
      inter_psis_mm: dist(lm("left_psis"), lm("right_psis")),
    };
    for (const side of ["left", "right"]) {
      const f = fields[`${side}_si_innominate`], ant = model.surfaces[`${side}_si_innominate`].anterior;
      const a = [], p = [];
      f.forEach((x, i) => (ant[i] ? a : p).push(x));
      out[`si_space_${side}_mm`] = mean(Array.from(f));
      out[`si_min_space_${side}_mm`] = Math.min(...f);
      out[`si_anterior_space_${side}_mm`] = mean(a);
      out[`si_posterior_space_${side}_mm`] = mean(p);
    }
    out.pubic_contact = out.pubic_min_gap_mm <= 0;
    out.si_contact_left = out.si_min_space_left_mm <= 0;
    out.si_contact_right = out.si_min_space_right_mm <= 0;
    if (neutral) {
      out.pubic_gap_change_mm = out.pubic_gap_mm - neutral.pubic_gap_mm;
      out.inter_asis_change_mm = out.inter_asis_mm - neutral.inter_asis_mm;
      for (const side of ["left", "right"]) {
        for (const k of ["si_space", "si_anterior", "si_posterior"]) {
          const base = k === "si_space" ? "si_space" : `${k}_space`;
          out[`${k}_change_${side}_mm`] = out[`${base}_${side}_mm`] - neutral[`${base}_${side}_mm`];
        }
      }
    }
    return { values: out, fields, transforms: t };
  }

  return { decode, transforms, metrics, field, neutralGaps, apply, MeshDistance, IDENTITY };
})();
